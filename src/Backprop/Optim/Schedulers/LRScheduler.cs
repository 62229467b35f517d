namespace Backprop.Optim.Schedulers;

/// <summary>
/// The base of learning-rate schedules: <see cref="Step"/> advances the schedule (once per epoch, or
/// per batch for one-cycle and warm-up) and sets the optimizer's learning rate.
/// </summary>
public abstract class LRScheduler
{
    /// <summary>Attaches the schedule to an optimizer, taking its current learning rate as the base.</summary>
    /// <param name="optimizer">The optimizer.</param>
    protected LRScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        BaseLearningRate = optimizer.LearningRate;
    }

    /// <summary>The optimizer whose learning rate this schedule sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The learning rate at step 0.</summary>
    public float BaseLearningRate { get; }

    /// <summary>How many times <see cref="Step"/> has been called.</summary>
    public int StepCount { get; private set; }

    /// <summary>Advances the schedule by one step and updates the optimizer's learning rate.</summary>
    public void Step()
    {
        StepCount++;
        Optimizer.LearningRate = LearningRateAt(StepCount);
    }

    /// <summary>Moves the schedule to a given step (to resume training) and sets the learning rate.</summary>
    /// <param name="step">The step count to resume at.</param>
    public void Resume(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        StepCount = step;
        Optimizer.LearningRate = LearningRateAt(step);
    }

    /// <summary>The learning rate after <paramref name="step"/> steps.</summary>
    /// <param name="step">The step count.</param>
    /// <returns>The learning rate.</returns>
    public abstract float LearningRateAt(int step);
}
