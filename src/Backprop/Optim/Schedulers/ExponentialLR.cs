namespace Backprop.Optim.Schedulers;

/// <summary>Multiplies the learning rate by γ every step.</summary>
/// <param name="optimizer">The optimizer.</param>
/// <param name="gamma">The decay factor.</param>
public sealed class ExponentialLR(Optimizer optimizer, float gamma) : LRScheduler(optimizer)
{
    /// <inheritdoc/>
    public override float LearningRateAt(int step, float baseLearningRate) => baseLearningRate * MathF.Pow(gamma, step);
}
