namespace Backprop.Optim.Schedulers;

/// <summary>
/// The base of learning-rate schedules: <see cref="Step"/> advances the schedule (once per epoch, or per batch
/// for one-cycle and warm-up) and sets the learning rate of every parameter group from that group's base
/// (its learning rate when the first schedule attached, PyTorch's initial_lr), so that groups keep their ratios.
/// </summary>
public abstract class LRScheduler
{
    /// <summary>Attaches the schedule to an optimizer, taking each group's initial learning rate as its base.</summary>
    /// <param name="optimizer">The optimizer.</param>
    protected LRScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        foreach (var group in optimizer.ParamGroups)
        {
            group.InitialLearningRate ??= group.LearningRate;
        }

        BaseLearningRates = [.. optimizer.ParamGroups.Select(g => g.InitialLearningRate!.Value)];
    }

    /// <summary>The optimizer whose learning rates this schedule sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Each group's learning rate at step 0.</summary>
    public IReadOnlyList<float> BaseLearningRates { get; }

    /// <summary>The first group's learning rate at step 0.</summary>
    public float BaseLearningRate => BaseLearningRates[0];

    /// <summary>How many times <see cref="Step"/> has been called.</summary>
    public int StepCount { get; private set; }

    /// <summary>Advances the schedule by one step and updates every group's learning rate.</summary>
    public void Step()
    {
        StepCount++;
        Apply(StepCount);
    }

    /// <summary>Moves the schedule to a given step (to resume training) and sets the learning rates.</summary>
    /// <param name="step">The step count to resume at.</param>
    public void Resume(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        StepCount = step;
        Apply(step);
    }

    /// <summary>The first group's learning rate after <paramref name="step"/> steps.</summary>
    /// <param name="step">The step count.</param>
    /// <returns>The learning rate.</returns>
    public float LearningRateAt(int step) => LearningRateAt(step, BaseLearningRate);

    /// <summary>The learning rate after <paramref name="step"/> steps of a group whose base is <paramref name="baseLearningRate"/>.</summary>
    /// <param name="step">The step count.</param>
    /// <param name="baseLearningRate">The group's learning rate at step 0.</param>
    /// <returns>The learning rate.</returns>
    public abstract float LearningRateAt(int step, float baseLearningRate);

    /// <summary>Sets every group's learning rate for <paramref name="step"/>.</summary>
    /// <param name="step">The step count.</param>
    protected void Apply(int step)
    {
        for (var g = 0; g < BaseLearningRates.Count; g++)
        {
            Optimizer.ParamGroups[g].LearningRate = LearningRateAt(step, BaseLearningRates[g]);
        }
    }
}
