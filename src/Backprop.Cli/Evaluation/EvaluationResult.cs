namespace Backprop.Cli.Evaluation;

/// <summary>A classifier's mean loss and accuracy over a dataset, with every prediction and target.</summary>
internal sealed record EvaluationResult(double Loss, double Accuracy, int[] Predictions, int[] Targets);
