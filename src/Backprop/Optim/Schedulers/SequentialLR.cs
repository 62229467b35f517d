namespace Backprop.Optim.Schedulers;

/// <summary>
/// Runs schedules one after another, as torch.optim.lr_scheduler.SequentialLR: schedule i takes over at
/// milestone i − 1 and counts its steps from there (warm-up with <see cref="LinearLR"/>, then a cosine).
/// </summary>
public sealed class SequentialLR : LRScheduler
{
    private readonly LRScheduler[] _schedules;
    private readonly int[] _milestones;

    /// <summary>Makes the schedule.</summary>
    /// <param name="optimizer">The optimizer; every schedule must drive it.</param>
    /// <param name="schedules">The schedules, in order.</param>
    /// <param name="milestones">The steps at which the next schedule takes over, increasing; one fewer than the schedules.</param>
    public SequentialLR(Optimizer optimizer, LRScheduler[] schedules, int[] milestones)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        ArgumentNullException.ThrowIfNull(milestones);
        if (schedules.Length == 0 || milestones.Length != schedules.Length - 1 || schedules.Any(s => s.Optimizer != optimizer)
            || milestones.Where((m, i) => m <= 0 || (i > 0 && m <= milestones[i - 1])).Any())
        {
            throw new ArgumentException($"SequentialLR: {schedules.Length} schedules of this optimizer need {Math.Max(0, schedules.Length - 1)} increasing positive milestones, got [{string.Join(", ", milestones)}].", nameof(milestones));
        }

        _schedules = schedules;
        _milestones = milestones;
        Apply(0);
    }

    /// <inheritdoc/>
    public override float LearningRateAt(int step, float baseLearningRate)
    {
        var i = 0;
        while (i < _milestones.Length && step >= _milestones[i])
        {
            i++;
        }

        return _schedules[i].LearningRateAt(i == 0 ? step : step - _milestones[i - 1], baseLearningRate);
    }
}
