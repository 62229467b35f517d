using Backprop.Autograd;

namespace Backprop.Tests.Ops;

/// <summary>The inputs and the GradCheck assertion that the op tests share.</summary>
internal static class OpCheck
{
    /// <summary>Uniform values in [−2, 2) that require grad.</summary>
    public static Tensor Input(ulong seed, params int[] shape) =>
        Tensor.Uniform(shape, -2f, 2f, new Generator(seed)).SetRequiresGrad();

    /// <summary>Uniform values in [0.5, 2) that require grad, for ops defined on positive numbers.</summary>
    public static Tensor Positive(ulong seed, params int[] shape) =>
        Tensor.Uniform(shape, 0.5f, 2f, new Generator(seed)).SetRequiresGrad();

    /// <summary>Asserts that autograd's gradients of f agree with central differences.</summary>
    public static void AssertGradCheck(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var result = GradCheck.Run(f, inputs, dtype: DType.Float32);
        Assert.True(result.Passed, result.ToString());
        Assert.True(result.Checked > 0);
    }
}
