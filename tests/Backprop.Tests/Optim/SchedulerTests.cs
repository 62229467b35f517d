using Backprop.NN;
using Backprop.Optim;
using Backprop.Optim.Schedulers;

namespace Backprop.Tests.Optim;

public class SchedulerTests
{
    private static SGD Optimizer(float lr = 1f) => new([new Parameter(Tensor.Zeros(1))], lr);

    private static float[] Rates(LRScheduler schedule, int steps)
    {
        var rates = new List<float> { schedule.Optimizer.LearningRate };
        for (var i = 0; i < steps; i++)
        {
            schedule.Step();
            rates.Add(schedule.Optimizer.LearningRate);
        }

        return [.. rates];
    }

    [Fact]
    public void StepLRDecaysEveryStepSize() =>
        Assert.Equal([1f, 1f, 0.5f, 0.5f, 0.25f], Rates(new StepLR(Optimizer(), 2, 0.5f), 4));

    [Fact]
    public void ExponentialLRDecaysEveryStep()
    {
        var rates = Rates(new ExponentialLR(Optimizer(), 0.5f), 3);
        Assert.Equal([1f, 0.5f, 0.25f, 0.125f], rates);
    }

    [Fact]
    public void CosineAnnealingGoesFromBaseToMinimum()
    {
        var rates = Rates(new CosineAnnealingLR(Optimizer(), 4, 0.1f), 5);
        Assert.Equal(1f, rates[0], 6);
        Assert.Equal(0.1f + (0.9f * 0.5f * (1f + MathF.Cos(MathF.PI / 4))), rates[1], 6);
        Assert.Equal(0.55f, rates[2], 6);
        Assert.Equal(0.1f, rates[4], 6);
        Assert.Equal(rates[3], rates[5], 6); // past tMax the cosine goes on and rises, as PyTorch's
    }

    [Fact]
    public void LinearWarmupRampsUp()
    {
        var rates = Rates(new LinearLR(Optimizer(), 0.25f, 1f, 3), 4);
        Assert.Equal([0.25f, 0.5f, 0.75f, 1f, 1f], rates);
    }

    [Fact]
    public void OneCycleRisesToTheMaximumThenFallsBelowTheStart()
    {
        var rates = Rates(new OneCycleLR(Optimizer(0.01f), 1f, 100), 99);
        Assert.Equal(1f / 25f, rates[0], 6);
        var peak = Array.IndexOf(rates, rates.Max());
        Assert.InRange(peak, 28, 30);
        Assert.Equal(1f, rates.Max(), 4);
        Assert.Equal(1f / 25f / 1e4f, rates[^1], 6);
        for (var i = 1; i <= peak; i++)
        {
            Assert.True(rates[i] >= rates[i - 1]);
        }

        for (var i = peak + 1; i < rates.Length; i++)
        {
            Assert.True(rates[i] <= rates[i - 1]);
        }
    }

    [Fact]
    public void ResumeSetsTheRateOfThatStep()
    {
        var schedule = new CosineAnnealingLR(Optimizer(), 10);
        schedule.Resume(5);
        Assert.Equal(0.5f, schedule.Optimizer.LearningRate, 6);
        Assert.Equal(5, schedule.StepCount);
    }
}
