namespace Backprop.Cli.Training;

/// <summary>
/// Everything that defines a training run; saved in checkpoints so that --resume continues the same run.
/// Its defaults are stated once, on the options of <see cref="TrainCommand.Settings"/>.
/// </summary>
internal sealed record TrainOptions
{
    public required string Layers { get; init; }

    public required string Activation { get; init; }

    /// <summary>The model file text of --model (a preset's or a file's, so that --resume needs neither), or null for the MLP of <see cref="Layers"/>.</summary>
    public string? Model { get; init; }

    /// <summary>The name --model gave: a preset's, or the model file's name.</summary>
    public string? ModelName { get; init; }

    public required string Loss { get; init; }

    public required float LabelSmoothing { get; init; }

    public required string Optimizer { get; init; }

    public required float LearningRate { get; init; }

    public required float Momentum { get; init; }

    public required bool Nesterov { get; init; }

    public required float WeightDecay { get; init; }

    public required string Schedule { get; init; }

    public required int WarmupSteps { get; init; }

    public required float ClipGradNorm { get; init; }

    /// <summary>Whether every op's output and gradient is checked for NaN and infinity (false in checkpoints of earlier versions).</summary>
    public bool DetectAnomaly { get; init; }

    /// <summary>Whether training images are shifted and rotated at random (false in checkpoints of earlier versions).</summary>
    public bool Augment { get; init; }

    public required int BatchSize { get; init; }

    public required int Epochs { get; init; }

    public required ulong Seed { get; init; }

    public string? Data { get; init; }

    public string? Label { get; init; }

    public required float ValidationFraction { get; init; }

    public required int Limit { get; init; }

    public required int Threads { get; init; }

    /// <summary>Whether a distributed run pools BatchNorm's statistics over the ranks (false in checkpoints of earlier versions).</summary>
    public bool SyncBatchNorm { get; init; }
}
