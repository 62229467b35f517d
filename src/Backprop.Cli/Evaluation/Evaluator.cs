using Backprop.Cli.Models;
using Backprop.Data;
using Backprop.NN;
using Backprop.NN.Losses;

namespace Backprop.Cli.Evaluation;

/// <summary>Runs a classifier over a dataset without recording a graph.</summary>
internal static class Evaluator
{
    /// <summary>The mean loss, the accuracy, and every prediction with its target.</summary>
    public static EvaluationResult Run(Module<Tensor, Tensor> model, Dataset data, Func<Tensor, Tensor, Tensor> loss, int batchSize = 250)
    {
        var wasTraining = model.Training;
        model.Eval();
        var predictions = new int[data.Count];
        var targets = new int[data.Count];
        double totalLoss = 0;
        var index = 0;
        using (Tensor.NoGrad())
        {
            foreach (var batch in new DataLoader(data, batchSize))
            {
                using var scope = Tensor.NewScope();
                scope.Attach(batch.Input);
                scope.Attach(batch.Target);
                var output = model.Forward(batch.Input);
                totalLoss += loss(output, batch.Target).Item() * batch.Target.Size(0);
                var rows = output.Argmax(1).AsSpan<long>();
                var labels = batch.Target.AsSpan<long>();
                for (var i = 0; i < rows.Length; i++)
                {
                    predictions[index] = (int)rows[i];
                    targets[index] = (int)labels[i];
                    index++;
                }
            }
        }

        model.Train(wasTraining);
        var correct = 0;
        for (var i = 0; i < predictions.Length; i++)
        {
            correct += predictions[i] == targets[i] ? 1 : 0;
        }

        var n = Math.Max(1, data.Count);
        return new EvaluationResult(totalLoss / n, correct / (double)n, predictions, targets);
    }

    /// <summary>The loss function for a loss name, taking class-index targets (one-hot for the squared errors).</summary>
    public static Func<Tensor, Tensor, Tensor> LossFunction(string name, int classes, float labelSmoothing) => Names.Loss(name) switch
    {
        "cross-entropy" => new CrossEntropyLoss(labelSmoothing: labelSmoothing).Forward,
        "mse" => (output, target) => new MSELoss().Forward(output, Tensor.OneHot(target, classes)),
        _ => (output, target) => new HalfSquaredError().Forward(output, Tensor.OneHot(target, classes)),
    };
}
