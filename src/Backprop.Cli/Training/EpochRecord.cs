namespace Backprop.Cli.Training;

/// <summary>What one epoch of training measured.</summary>
internal sealed record EpochRecord(int Epoch, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy, float LearningRate, double Seconds, double SamplesPerSecond);
