using Backprop.NN;
using Backprop.Optim;
using Backprop.Optim.Schedulers;

namespace Backprop.Cli.Training;

/// <summary>Builds the optimizer and learning-rate schedule that a run's options name.</summary>
internal static class OptimizerFactory
{
    public static Optimizer Create(TrainOptions o, IEnumerable<Parameter> parameters) => o.Optimizer switch
    {
        "sgd" => new SGD(parameters, o.LearningRate, o.Momentum, weightDecay: o.WeightDecay, nesterov: o.Nesterov),
        "adam" => new Adam(parameters, o.LearningRate, weightDecay: o.WeightDecay),
        "adamw" => new AdamW(parameters, o.LearningRate, weightDecay: o.WeightDecay == 0f ? 0.01f : o.WeightDecay),
        "rmsprop" => new RMSprop(parameters, o.LearningRate, weightDecay: o.WeightDecay, momentum: o.Momentum),
        _ => throw new ArgumentException($"--optimizer: '{o.Optimizer}' is not one of sgd, adam, adamw, rmsprop."),
    };

    /// <summary>The schedule, stepped once per batch; null for a constant learning rate.</summary>
    public static LRScheduler? CreateSchedule(TrainOptions o, Optimizer optimizer, int batchesPerEpoch)
    {
        var total = Math.Max(2, o.Epochs * batchesPerEpoch);
        LRScheduler? main = o.Schedule switch
        {
            "none" => null,
            "step" => new StepLR(optimizer, Math.Max(1, total / 3), 0.1f),
            "exponential" => new ExponentialLR(optimizer, MathF.Pow(0.01f, 1f / total)),
            "cosine" => new CosineAnnealingLR(optimizer, total),
            "onecycle" => new OneCycleLR(optimizer, o.LearningRate, total),
            _ => throw new ArgumentException($"--schedule: '{o.Schedule}' is not one of none, step, exponential, cosine, onecycle."),
        };
        if (o.WarmupSteps <= 0)
        {
            return main;
        }

        return main is null
            ? new LinearLR(optimizer, 0.1f, 1f, o.WarmupSteps)
            : new WarmupThen(optimizer, o.WarmupSteps, main);
    }

    /// <summary>A linear warm-up from a tenth of the schedule's rate, then the schedule itself.</summary>
    private sealed class WarmupThen(Optimizer optimizer, int warmupSteps, LRScheduler main) : LRScheduler(optimizer)
    {
        public override float LearningRateAt(int step, float baseLearningRate) =>
            main.LearningRateAt(step, baseLearningRate) * (step < warmupSteps ? 0.1f + (0.9f * step / warmupSteps) : 1f);
    }
}
