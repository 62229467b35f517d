namespace Backprop.Tests;

/// <summary>Tensors of every dtype: creation, conversion, printing, element access, and the errors of ops that need another dtype.</summary>
public class DTypeTests
{
    [Fact]
    public void CreationFunctionsGiveTheDTypeAskedFor()
    {
        Assert.Equal(DType.Float32, Tensor.Zeros(2, 3).DType);
        Assert.Equal(DType.Float64, Tensor.FromArray([1.5, 2.5]).DType);
        Assert.Equal(DType.Int64, Tensor.FromArray([1L, 2L]).DType);
        Assert.Equal(DType.Int64, Tensor.FromArray(new[] { 1, 2, 3 }).DType);
        Assert.Equal(DType.Bool, Tensor.FromArray([true, false]).DType);
        Assert.Equal([0L, 0, 0], Tensor.Zeros([3], DType.Int64).ToArray<long>());
        Assert.Equal([true, true], Tensor.Ones([2], DType.Bool).ToArray<bool>());
        Assert.Equal([7.25, 7.25], Tensor.Full(7.25, [2], DType.Float64).ToArray<double>());
        Assert.Equal([-2L, -2], Tensor.Full(-2.9, [2], DType.Int64).ToArray<long>());
        Assert.Equal([0L, 2, 4], Tensor.Arange(0, 5, 2, DType.Int64).ToArray<long>());
        var ints = Tensor.FromArray([4L, 5L, 6L]);
        Assert.Equal(DType.Int64, Tensor.ZerosLike(ints).DType);
        Assert.Equal([1L, 1, 1], Tensor.OnesLike(ints).ToArray<long>());
        Assert.Equal(DType.Int64, ints.Clone().DType);
        Assert.Equal(Device.Cpu, ints.Device);
        Assert.Equal("cpu", ints.Device.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Full(double.NaN, [1], DType.Int64));
    }

    [Fact]
    public void ToConvertsWithPyTorchsRules()
    {
        var x = Tensor.FromArray([-1.7f, 0f, 2.9f, float.NaN]);
        Assert.Same(x, x.To(DType.Float32));
        Assert.Equal([-1L, 0, 2, 0], x.Long().ToArray<long>());
        Assert.Equal([true, false, true, true], x.Bool().ToArray<bool>());
        Assert.Equal((double)-1.7f, x.Double().ToArray<double>()[0]);
        Assert.Equal([1f, 0f], Tensor.FromArray([true, false]).Float().ToArray());
        Assert.Equal([1L, 0], Tensor.FromArray([true, false]).Long().ToArray<long>());
        Assert.Equal([3.0, -4.0], Tensor.FromArray([3L, -4L]).Double().ToArray<double>());
        Assert.Equal(1.0000000001, Tensor.FromArray([1.0000000001]).Item<double>());
        Assert.Equal(5L, Tensor.FromArray([5L]).Item<long>());
        Assert.Equal(5f, Tensor.FromArray([5L]).Item());
    }

    [Fact]
    public void ConvertingATensorThatRequiresGradIsRefusedUntilDetached()
    {
        var w = Tensor.Ones(2).SetRequiresGrad();
        var e = Assert.Throws<NotSupportedException>(() => w.Long());
        Assert.Contains("Detach()", e.Message, StringComparison.Ordinal);
        Assert.Equal([1L, 1], w.Detach().Long().ToArray<long>());
        using (Tensor.NoGrad())
        {
            Assert.Equal(DType.Float64, w.Double().DType);
        }
    }

    /// <summary>Each expected string is what PyTorch 1.13 printed for the same tensor.</summary>
    [Fact]
    public void PrintsLikePyTorch()
    {
        Assert.Equal("tensor([1.0000e-05, 1.0000e+00, 1.0000e+03])", Tensor.FromArray([1e-5f, 1f, 1000f]).ToString());
        Assert.Equal("tensor([1.0000e+00, 2.0000e+03])", Tensor.FromArray([1f, 2000f]).ToString());
        Assert.Equal("tensor([1.0000e-05, 5.0000e-01])", Tensor.FromArray([1e-5f, 0.5f]).ToString());
        Assert.Equal("tensor([1.0000e+09, 1.0000e+00])", Tensor.FromArray([1e9f, 1f]).ToString());
        Assert.Equal("tensor([   nan,    inf,   -inf, 1.5000])", Tensor.FromArray([float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1.5f]).ToString());
        Assert.Equal("tensor([1., nan])", Tensor.FromArray([1f, float.NaN]).ToString());
        Assert.Equal("tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])", Tensor.Arange(2000).ToString());
        Assert.Equal("tensor([], dtype=torch.int64)", Tensor.Zeros([0], DType.Int64).ToString());
        Assert.Equal("tensor([0., 0.])", Tensor.Zeros(2).ToString());
        Assert.Equal("tensor([2., 2.], grad_fn=<MulBackward0>)", (Tensor.Ones(2).SetRequiresGrad() * Tensor.Full(2f, 2)).ToString());
        Assert.Equal("tensor([1, 2, 3])", Tensor.FromArray([1L, 2L, 3L]).ToString());
        Assert.Equal("tensor([ True, False])", Tensor.FromArray([true, false]).ToString());
        Assert.Equal("tensor([1.5000, 2.0000], dtype=torch.float64)", Tensor.FromArray([1.5, 2.0]).ToString());
        Assert.Equal("tensor([[  1, -20]])", Tensor.FromArray([1L, -20L], 1, 2).ToString());
        Assert.Equal("tensor(7)", Tensor.Full(7, [], DType.Int64).ToString());
    }

    [Fact]
    public void ElementAccessTypedSpansAndIndexer()
    {
        var t = Tensor.FromArray([1L, 2L, 3L, 4L], 2, 2);
        Assert.Equal(3f, t[1, 0]);
        t[1, 0] = 9f;
        Assert.Equal([1L, 2, 9, 4], t.AsSpan<long>().ToArray());
        var e = Assert.Throws<NotSupportedException>(() => t.AsSpan<float>().ToArray());
        Assert.Contains("int64", e.Message, StringComparison.Ordinal);
        Assert.Contains("To(DType.Float32)", e.Message, StringComparison.Ordinal);
        var mask = Tensor.FromArray([true, false]);
        mask[1] = 2f;
        Assert.Equal([true, true], mask.ToArray<bool>());
    }

    [Fact]
    public void ShapeOpsMoveEveryDType()
    {
        var t = Tensor.FromArray([1L, 2L, 3L, 4L, 5L, 6L], 2, 3);
        Assert.Equal([1L, 4, 2, 5, 3, 6], t.Transpose(0, 1).ToArray<long>());
        Assert.Equal([3, 2], t.T.Shape);
        Assert.Equal([1L, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6], Tensor.Cat([t, t], 0).ToArray<long>());
        Assert.Equal([4L, 5, 6], t.IndexSelect(0, [1]).Reshape(3).ToArray<long>());
        Assert.Equal([2, 2, 3], Tensor.Stack([t, t]).Shape);
        Assert.Equal([2L, 3, 5, 6], t.Narrow(1, 1, 2).ToArray<long>());
        Assert.Equal(DType.Int64, t.Unsqueeze(0).Squeeze(0).DType);
        var bools = Tensor.FromArray([true, false, false, true], 2, 2);
        Assert.Equal([true, false, false, true], bools.Permute(1, 0).ToArray<bool>());
        Assert.Contains("float32 and int64", Assert.Throws<ArgumentException>(() => Tensor.Cat([Tensor.Ones(2), Tensor.FromArray([1L, 2L])])).Message, StringComparison.Ordinal);
        var filled = Tensor.Zeros([3], DType.Int64).Fill(4);
        Assert.Equal([4L, 4, 4], filled.ToArray<long>());
        Assert.Equal([1f, 2f], Tensor.Zeros(2).CopyFrom(Tensor.FromArray([1L, 2L])).ToArray());
    }

    [Fact]
    public void SumOfIntegersAndBoolsCountsInInt64()
    {
        Assert.Equal(6L, Tensor.FromArray([1L, 2L, 3L]).Sum().Item<long>());
        Assert.Equal(2L, Tensor.FromArray([true, false, true]).Sum().Item<long>());
        Assert.Equal(DType.Int64, Tensor.FromArray([true]).Sum().DType);
    }

    [Fact]
    public void FloatOpsOnOtherDTypesNameTheOpAndTheDType()
    {
        var ints = Tensor.FromArray([1L, 2L]);
        AssertMessage(() => ints + ints, "Add", "int64", "[2]");
        AssertMessage(() => ints.Exp(), "Exp", "int64");
        AssertMessage(() => ints.MatMul(ints), "MatMul", "int64");
        AssertMessage(() => ints.Mean(), "Mean", "int64");
        AssertMessage(() => ints.Softmax(0), "Softmax", "int64");
        AssertMessage(() => Tensor.Conv2d(Tensor.Zeros([1, 1, 2, 2], DType.Int64), Tensor.Zeros([1, 1, 1, 1], DType.Int64)), "Conv2d", "int64");
        AssertMessage(() => Tensor.FromArray([1.0, 2.0]) + Tensor.FromArray([1f, 2f]), "Add", "float64", "float32", "Double()");
        var grad = Assert.Throws<NotSupportedException>(() => ints.SetRequiresGrad());
        Assert.Contains("only floating-point tensors have gradients", grad.Message, StringComparison.Ordinal);
        Assert.True(Tensor.FromArray([1.0]).SetRequiresGrad().RequiresGrad);
    }

    private static void AssertMessage(Func<Tensor> action, params string[] parts)
    {
        var e = Assert.ThrowsAny<Exception>(action);
        Assert.True(e is ArgumentException or NotSupportedException, e.GetType().Name);
        foreach (var part in parts)
        {
            Assert.Contains(part, e.Message, StringComparison.Ordinal);
        }
    }
}
