namespace Backprop.Optim.Schedulers;

/// <summary>Multiplies the learning rate by γ at each milestone step, as torch.optim.lr_scheduler.MultiStepLR.</summary>
public sealed class MultiStepLR : LRScheduler
{
    private readonly int[] _milestones;
    private readonly float _gamma;

    /// <summary>Makes the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="milestones">The steps at which the rate decays; positive (a repeated milestone decays twice).</param>
    /// <param name="gamma">The decay factor.</param>
    public MultiStepLR(Optimizer optimizer, int[] milestones, float gamma = 0.1f)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        if (milestones.Any(m => m <= 0))
        {
            throw new ArgumentException($"MultiStepLR: milestones [{string.Join(", ", milestones)}] must be positive steps.", nameof(milestones));
        }

        _milestones = [.. milestones.Order()];
        _gamma = gamma;
    }

    /// <inheritdoc/>
    public override float LearningRateAt(int step, float baseLearningRate) =>
        baseLearningRate * MathF.Pow(_gamma, _milestones.Count(m => m <= step));
}
