using Backprop.Kernels;

namespace Backprop.Tests.Kernels;

/// <summary>Elementwise passes over large tensors are split across the kernel threads; the values must not change.</summary>
[Collection("Threading")]
public class ChunkedTests
{
    private static (float[] Forward, float[] Gradient, float[] InPlace) Run(int threads)
    {
        var saved = Threading.NumThreads;
        Threading.NumThreads = threads;
        try
        {
            var x = Tensor.Uniform([3_000_017], -3f, 3f, new Generator(4)).SetRequiresGrad();
            var y = x.Tanh().Relu().Exp();
            y.Backward(Tensor.Ones(y.Shape));
            var copy = x.Detach().Clone().ReluInPlace();
            return (y.ToArray(), x.Grad!.ToArray(), copy.ToArray());
        }
        finally
        {
            Threading.NumThreads = saved;
        }
    }

    [Fact]
    public void ChunkedElementwiseEqualsOneThread()
    {
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Forward, two.Forward);
        Assert.Equal(one.Gradient, two.Gradient);
        Assert.Equal(one.InPlace, two.InPlace);
        Assert.Contains(one.Gradient, v => v != 0f);
    }
}
