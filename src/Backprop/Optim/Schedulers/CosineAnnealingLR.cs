namespace Backprop.Optim.Schedulers;

/// <summary>
/// Anneals the learning rate from its base to η_min along half a cosine over <c>tMax</c> steps, as
/// torch.optim.lr_scheduler.CosineAnnealingLR: past <c>tMax</c> the cosine goes on, and the rate rises again
/// (period 2·tMax).
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    private readonly int _tMax;
    private readonly float _etaMin;

    /// <summary>Makes the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="tMax">The number of steps to anneal over; positive.</param>
    /// <param name="etaMin">The final learning rate.</param>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, float etaMin = 0f)
        : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tMax);
        _tMax = tMax;
        _etaMin = etaMin;
    }

    /// <inheritdoc/>
    public override float LearningRateAt(int step, float baseLearningRate) =>
        _etaMin + ((baseLearningRate - _etaMin) * 0.5f * (1f + MathF.Cos(MathF.PI * step / _tMax)));
}
