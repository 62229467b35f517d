namespace Backprop.Cli.Training;

/// <summary>The loss became NaN or infinite: training stops and the last good checkpoint is kept.</summary>
internal sealed class TrainingDivergedException(string message) : Exception(message);
