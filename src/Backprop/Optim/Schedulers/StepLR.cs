namespace Backprop.Optim.Schedulers;

/// <summary>Multiplies the learning rate by γ every <c>stepSize</c> steps.</summary>
public sealed class StepLR : LRScheduler
{
    private readonly int _stepSize;
    private readonly float _gamma;

    /// <summary>Makes the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="stepSize">Steps between decays; positive.</param>
    /// <param name="gamma">The decay factor.</param>
    public StepLR(Optimizer optimizer, int stepSize, float gamma = 0.1f)
        : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        _stepSize = stepSize;
        _gamma = gamma;
    }

    /// <inheritdoc/>
    public override float LearningRateAt(int step, float baseLearningRate) => baseLearningRate * MathF.Pow(_gamma, step / _stepSize);
}
