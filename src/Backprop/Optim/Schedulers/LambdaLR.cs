namespace Backprop.Optim.Schedulers;

/// <summary>Sets the learning rate to its base times a function of the step, as torch.optim.lr_scheduler.LambdaLR.</summary>
/// <param name="optimizer">The optimizer.</param>
/// <param name="factor">The multiplier of each group's base rate at a step.</param>
public sealed class LambdaLR(Optimizer optimizer, Func<int, float> factor) : LRScheduler(optimizer)
{
    private readonly Func<int, float> _factor = factor ?? throw new ArgumentNullException(nameof(factor));

    /// <inheritdoc/>
    public override float LearningRateAt(int step, float baseLearningRate) => baseLearningRate * _factor(step);
}
