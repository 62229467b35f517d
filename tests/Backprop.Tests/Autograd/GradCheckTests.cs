using Backprop.Autograd;

namespace Backprop.Tests.Autograd;

public class GradCheckTests
{
    [Fact]
    public void CorrectOpsPassForManySeeds()
    {
        for (ulong seed = 0; seed < 40; seed++)
        {
            var g = new Generator(seed);
            var a = Tensor.Uniform([3, 4], -2f, 2f, g).SetRequiresGrad();
            var b = Tensor.Uniform([4, 2], -2f, 2f, g).SetRequiresGrad();
            var result = GradCheck.Run(x => x[0].MatMul(x[1]).Tanh().Softmax(1).Log(), [a, b], seed: seed);
            Assert.True(result.Passed, $"seed {seed}: {result}");
        }
    }

    [Fact]
    public void WrongBackwardIsCaught()
    {
        // An op computing x² whose backward claims 2.2·x: off by 10%.
        static Tensor WrongSquare(Tensor x)
        {
            var y = new Tensor(x.ToArray(), x.Shape);
            for (var i = 0; i < y.Data.Length; i++)
            {
                y.Data[i] *= x.Data[i];
            }

            return y.Record("WrongSquare", [x], g =>
            {
                var d = new float[x.Numel];
                for (var i = 0; i < d.Length; i++)
                {
                    d[i] = 2.2f * x.Data[i] * g[i];
                }

                x.DepositGrad(d, x.Dims, owned: true);
            });
        }

        var input = Tensor.Uniform([5], 0.5f, 2f, new Generator(3)).SetRequiresGrad();
        var result = GradCheck.Run(x => WrongSquare(x[0]), [input], dtype: DType.Float32);
        Assert.False(result.Passed);
        Assert.Contains("autograd", result.Detail, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(result.ThrowIfFailed);
    }

    [Fact]
    public void MissingGradientIsCaught()
    {
        // Detach cuts the graph, so autograd reports zero where the function does depend on the input.
        var input = Tensor.Uniform([4], 0.5f, 2f, new Generator(4)).SetRequiresGrad();
        var result = GradCheck.Run(x => x[0].Detach() * 3f + x[0], [input]);
        Assert.False(result.Passed);
    }

    [Fact]
    public void InputsMustBeLeavesRequiringGrad()
    {
        var ex = Assert.Throws<ArgumentException>(() => GradCheck.Run(x => x[0].Exp(), [Tensor.Ones(2)]));
        Assert.Contains("GradCheck", ex.Message, StringComparison.Ordinal);
    }
}
