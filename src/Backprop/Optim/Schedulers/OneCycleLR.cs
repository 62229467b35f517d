namespace Backprop.Optim.Schedulers;

/// <summary>
/// The one-cycle policy (PyTorch's OneCycleLR, cosine form): from maxLr/divFactor up to maxLr over the
/// first <c>pctStart</c> of the steps, then down to maxLr/(divFactor·finalDivFactor). Step it every batch.
/// </summary>
public sealed class OneCycleLR : LRScheduler
{
    private readonly float _maxLr;
    private readonly int _totalSteps;
    private readonly float _initialLr;
    private readonly float _finalLr;
    private readonly float _warmSteps;

    /// <summary>Makes the schedule and sets the optimizer to its initial learning rate.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="maxLr">The peak learning rate.</param>
    /// <param name="totalSteps">The number of steps in the cycle; at least 2.</param>
    /// <param name="pctStart">The fraction of steps spent rising.</param>
    /// <param name="divFactor">initial lr = maxLr / divFactor.</param>
    /// <param name="finalDivFactor">final lr = initial lr / finalDivFactor.</param>
    public OneCycleLR(Optimizer optimizer, float maxLr, int totalSteps, float pctStart = 0.3f, float divFactor = 25f, float finalDivFactor = 1e4f)
        : base(optimizer)
    {
        if (totalSteps < 2 || !(pctStart > 0f && pctStart < 1f) || !(maxLr > 0f))
        {
            throw new ArgumentException($"OneCycleLR: totalSteps {totalSteps} must be >= 2, pctStart {pctStart} in (0, 1), maxLr {maxLr} positive.", nameof(totalSteps));
        }

        _maxLr = maxLr;
        _totalSteps = totalSteps;
        _initialLr = maxLr / divFactor;
        _finalLr = _initialLr / finalDivFactor;
        _warmSteps = Math.Max(1f, (pctStart * totalSteps) - 1f);
        Apply(0);
    }

    /// <inheritdoc/>
    public override float LearningRateAt(int step, float baseLearningRate)
    {
        var s = Math.Min(step, _totalSteps - 1);
        return s <= _warmSteps
            ? Cosine(_initialLr, _maxLr, s / _warmSteps)
            : Cosine(_maxLr, _finalLr, (s - _warmSteps) / (_totalSteps - 1 - _warmSteps));
    }

    private static float Cosine(float start, float end, float fraction) =>
        end + ((start - end) / 2f * (1f + MathF.Cos(MathF.PI * fraction)));
}
