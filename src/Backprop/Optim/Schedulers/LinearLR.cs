namespace Backprop.Optim.Schedulers;

/// <summary>
/// Linear warm-up (or decay): the factor on the base learning rate moves linearly from
/// <c>startFactor</c> to <c>endFactor</c> over <c>totalSteps</c>, then stays.
/// </summary>
public sealed class LinearLR : LRScheduler
{
    private readonly float _startFactor;
    private readonly float _endFactor;
    private readonly int _totalSteps;

    /// <summary>Makes the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="startFactor">The factor at step 0 (PyTorch's default 1/3).</param>
    /// <param name="endFactor">The factor from <paramref name="totalSteps"/> on.</param>
    /// <param name="totalSteps">The length of the ramp; positive.</param>
    public LinearLR(Optimizer optimizer, float startFactor = 1f / 3f, float endFactor = 1f, int totalSteps = 5)
        : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        _startFactor = startFactor;
        _endFactor = endFactor;
        _totalSteps = totalSteps;
        Apply(0);
    }

    /// <inheritdoc/>
    public override float LearningRateAt(int step, float baseLearningRate)
    {
        var t = Math.Min(step, _totalSteps) / (float)_totalSteps;
        return baseLearningRate * (_startFactor + ((_endFactor - _startFactor) * t));
    }
}
