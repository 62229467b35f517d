namespace Backprop.Tests.Autograd;

/// <summary>DetectAnomaly names the first op whose forward or backward makes a NaN or an infinity.</summary>
public class AnomalyTests
{
    [Fact]
    public void AForwardNaNNamesTheOpAndItsInputs()
    {
        var x = Tensor.FromArray([1f, -1f, 4f]).SetRequiresGrad();
        using (Tensor.DetectAnomaly())
        {
            var e = Assert.Throws<InvalidOperationException>(() => (x * 2f).Log().Sum());
            Assert.Contains("the forward of 'Log' produced NaN at element 1 of its [3] output; its inputs: 'MulScalar' [3]", e.Message, StringComparison.Ordinal);
        }

        // Outside the scope nothing is checked: the NaN flows on, as without anomaly mode.
        Assert.True(float.IsNaN((x * 2f).Log().Sum().Item()));
    }

    [Fact]
    public void ABackwardNaNNamesTheOpAndThePathFromTheLoss()
    {
        // √x at 0 is finite; its gradient is not.
        var x = Tensor.FromArray([0f, 1f]).SetRequiresGrad();
        using var anomaly = Tensor.DetectAnomaly();
        var loss = ((x * 3f).Sqrt() * 2f).Sum();
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("the backward of 'Sqrt' gave its input 0 ([2]) a gradient of ∞", e.Message.Replace("Infinity", "∞", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("the path from the loss: Sum → MulScalar → Sqrt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Float64AndCreateGraphPassesAreCheckedToo()
    {
        // A float64 forward and a backward through tensor ops (float64, or createGraph in float32) meet the same checks.
        using var anomaly = Tensor.DetectAnomaly();
        var negative = Tensor.FromArray([-1.0, 2.0]).SetRequiresGrad();
        Assert.Contains("the forward of 'Log' produced NaN at element 0", Assert.Throws<InvalidOperationException>(() => negative.Log()).Message, StringComparison.Ordinal);
        foreach (var (x, createGraph) in new[] { (Tensor.FromArray([0.0, 1.0]).SetRequiresGrad(), false), (Tensor.FromArray([0f, 1f]).SetRequiresGrad(), true) })
        {
            var loss = ((x * 3.0).Sqrt() * 2.0).Sum();
            var e = Assert.Throws<InvalidOperationException>(() => loss.Backward(null, retainGraph: false, createGraph: createGraph));
            Assert.Contains("the backward of 'Sqrt' gave its input 0 ([2]) a gradient of ∞", e.Message.Replace("Infinity", "∞", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.Contains("the path from the loss: Sum → MulScalar → Sqrt", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TrainDetectAnomalyNamesTheOp()
    {
        var (code, output) = Cli.CliRunner.Run("train", "--limit", "600", "--epochs", "1", "--batch-size", "100", "--schedule", "none", "--lr", "1e30", "--detect-anomaly", "--out", Path.Combine(Path.GetTempPath(), $"backprop-anomaly-{Guid.NewGuid():N}"));
        Assert.NotEqual(0, code);
        Assert.Contains("DetectAnomaly: the", output.ReplaceLineEndings(" "), StringComparison.Ordinal);
    }
}
