namespace Backprop.Cli.Training;

/// <summary>Everything that defines a training run; saved in checkpoints so that --resume continues the same run.</summary>
internal sealed record TrainOptions
{
    public string Layers { get; init; } = "784,256,128,10";

    public string Activation { get; init; } = "relu";

    public string Loss { get; init; } = "cross-entropy";

    public float LabelSmoothing { get; init; }

    public string Optimizer { get; init; } = "sgd";

    public float LearningRate { get; init; } = 0.05f;

    public float Momentum { get; init; } = 0.9f;

    public bool Nesterov { get; init; }

    public float WeightDecay { get; init; }

    public string Schedule { get; init; } = "cosine";

    public int WarmupSteps { get; init; }

    public float ClipGradNorm { get; init; }

    public int BatchSize { get; init; } = 128;

    public int Epochs { get; init; } = 10;

    public ulong Seed { get; init; } = 1;

    public string? Data { get; init; }

    public string? Label { get; init; }

    public float ValidationFraction { get; init; } = 0.2f;

    public int Limit { get; init; }

    public int Threads { get; init; }
}
