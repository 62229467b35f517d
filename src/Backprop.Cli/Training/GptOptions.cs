namespace Backprop.Cli.Training;

/// <summary>
/// Everything that defines a `train --model gpt` run. The defaults are nanoGPT's CPU recipe for Tiny
/// Shakespeare (W9): 2000 steps of 12 windows of 64 characters, AdamW lr 1e-3 with betas (0.9, 0.99) and
/// weight decay 0.1 on matrices, 100 warm-up steps then cosine to a tenth, clipping at norm 1.
/// </summary>
internal sealed record GptOptions
{
    /// <summary>The UTF-8 text to learn.</summary>
    public required string Data { get; init; }

    public int Steps { get; init; } = 2000;

    public int BatchSize { get; init; } = 12;

    public int Context { get; init; } = 64;

    public int Width { get; init; } = 128;

    public int Depth { get; init; } = 4;

    public int Heads { get; init; } = 4;

    public float Dropout { get; init; }

    public float LearningRate { get; init; } = 1e-3f;

    public float WeightDecay { get; init; } = 0.1f;

    public float ClipGradNorm { get; init; } = 1f;

    public int WarmupSteps { get; init; } = 100;

    /// <summary>Steps between validation-loss measurements (and checkpoints); the last step is always measured.</summary>
    public int EvalInterval { get; init; } = 250;

    /// <summary>Random validation batches averaged per measurement.</summary>
    public int EvalBatches { get; init; } = 20;

    /// <summary>The share of the text at its end held out for validation.</summary>
    public float ValidationFraction { get; init; } = 0.1f;

    public ulong Seed { get; init; } = 1;

    public int Threads { get; init; }

    /// <summary>The learning rate at <paramref name="step"/> (from 0): linear warm-up to the peak, then a cosine down to a tenth of it at the last step (W9's schedule).</summary>
    public float LearningRateAt(int step)
    {
        if (step < WarmupSteps)
        {
            return LearningRate * (step + 1) / (WarmupSteps + 1);
        }

        var progress = Math.Min(1.0, (step - WarmupSteps) / (double)Math.Max(1, Steps - WarmupSteps));
        var floor = LearningRate / 10;
        return (float)(floor + (0.5 * (1 + Math.Cos(Math.PI * progress)) * (LearningRate - floor)));
    }
}
