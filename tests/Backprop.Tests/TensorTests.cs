namespace Backprop.Tests;

public class TensorTests
{
    [Fact]
    public void CreationFunctions()
    {
        Assert.Equal([0f, 0f, 0f, 0f, 0f, 0f], Tensor.Zeros(2, 3).ToArray());
        Assert.Equal([2, 3], Tensor.Ones(2, 3).Shape);
        Assert.Equal([7f, 7f], Tensor.Full(7f, 2).ToArray());
        Assert.Equal([0f, 1f, 2f, 3f], Tensor.Arange(4).ToArray());
        Assert.Equal([1f, 1.5f, 2f, 2.5f], Tensor.Arange(1f, 3f, 0.5f).ToArray());
        Assert.Equal([1f, 0f, 0f, 1f], Tensor.Eye(2).ToArray());
        Assert.Equal(5f, Tensor.Scalar(5f).Item());
        Assert.Empty(Tensor.Scalar(5f).Shape);
        Assert.Equal([1f, 2f, 3f, 4f], Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 } }).ToArray());
    }

    [Fact]
    public void RandomTensorsFollowTheGenerator()
    {
        Assert.Equal(Tensor.Randn([100], new Generator(5)).ToArray(), Tensor.Randn([100], new Generator(5)).ToArray());
        Assert.NotEqual(Tensor.Randn([100], new Generator(5)).ToArray(), Tensor.Randn([100], new Generator(6)).ToArray());
        var n = Tensor.Randn([20000], new Generator(1));
        Assert.InRange(n.Mean().Item(), -0.03f, 0.03f);
        Assert.InRange(n.Pow(2f).Mean().Item(), 0.95f, 1.05f);
        var u = Tensor.Uniform([20000], -2f, 3f, new Generator(2));
        Assert.True(u.Min().Item() >= -2f && u.Max().Item() < 3f);
        Assert.InRange(u.Mean().Item(), 0.45f, 0.55f);
        Assert.InRange(Tensor.Rand([20000], new Generator(3)).Mean().Item(), 0.49f, 0.51f);
    }

    [Fact]
    public void IndexerReadsAndWrites()
    {
        var t = Tensor.Arange(6).Reshape(2, 3);
        Assert.Equal(5f, t[1, 2]);
        Assert.Equal(3f, t[-1, 0]);
        t[0, 1] = 9f;
        Assert.Equal(9f, t.ToArray()[1]);
    }

    [Fact]
    public void ToStringLooksLikePyTorch()
    {
        Assert.Equal("tensor([[0., 1., 2.],\n        [3., 4., 5.]])", Tensor.Arange(6).Reshape(2, 3).ToString());
        Assert.Equal("tensor([ 0.5000, -1.2500], requires_grad=True)", Tensor.FromArray([0.5f, -1.25f]).SetRequiresGrad().ToString());
        Assert.Equal("tensor(3.)", Tensor.Scalar(3f).ToString());
        var big = Tensor.Arange(2000).ToString();
        Assert.Contains("...", big, StringComparison.Ordinal);
        Assert.True(big.Length < 100);
        var withGrad = (Tensor.Ones(1).SetRequiresGrad() * 2f).ToString();
        Assert.EndsWith("grad_fn=<MulScalarBackward0>)", withGrad, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, -1, new[] { 120 })]
    [InlineData(1, 2, new[] { 2, 12, 5 })]
    [InlineData(-2, -1, new[] { 2, 3, 20 })]
    [InlineData(0, 1, new[] { 6, 4, 5 })]
    [InlineData(2, 2, new[] { 2, 3, 4, 5 })]
    public void FlattenMergesTheDimensionsFromStartToEnd(int startDim, int endDim, int[] expected)
    {
        var t = Tensor.Arange(120).Reshape(2, 3, 4, 5);
        var flat = t.Flatten(startDim, endDim);
        Assert.Equal(expected, flat.Shape);
        Assert.Equal(t.ToArray(), flat.ToArray());
    }

    [Fact]
    public void ShapeOpsMoveTheRightElements()
    {
        var t = Tensor.Arange(24).Reshape(2, 3, 4);
        Assert.Equal([4, 2, 3], t.Permute(2, 0, 1).Shape);
        Assert.Equal(t[1, 2, 3], t.Permute(2, 0, 1)[3, 1, 2]);
        Assert.Equal(t[1, 0, 2], t.Transpose(0, 2)[2, 0, 1]);
        Assert.Equal([2, 12], t.Reshape(2, -1).Shape);
        Assert.Equal([6, 4], t.Flatten(0, 1).Shape);
        Assert.Equal([1, 2, 3, 4], t.Unsqueeze(0).Shape);
        Assert.Equal([2, 3, 4], t.Unsqueeze(2).Squeeze().Shape);
        Assert.Equal([2, 3, 4, 1], t.Unsqueeze(-1).Shape);
        Assert.Equal([3, 2], Tensor.Arange(6).Reshape(2, 3).T.Shape);
    }

    [Fact]
    public void CatStackNarrowIndexSelectGather()
    {
        var a = Tensor.Arange(4).Reshape(2, 2);
        var b = Tensor.Arange(4, 8).Reshape(2, 2);
        Assert.Equal([0f, 1f, 4f, 5f, 2f, 3f, 6f, 7f], Tensor.Cat([a, b], 1).ToArray());
        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f], Tensor.Cat([a, b], 0).ToArray());
        Assert.Equal([2, 2, 2], Tensor.Stack([a, b]).Shape);
        Assert.Equal([0f, 4f, 1f, 5f, 2f, 6f, 3f, 7f], Tensor.Stack([a, b], 2).ToArray());
        Assert.Equal([4f, 5f, 6f, 7f], Tensor.Cat([a, b], 0).Narrow(0, 2, 2).ToArray());
        Assert.Equal([6f, 7f, 0f, 1f], Tensor.Cat([a, b], 0).IndexSelect(0, [3, 0]).ToArray());
        var logits = Tensor.FromArray([0.1f, 0.9f, 0.0f, 0.7f, 0.2f, 0.1f], 2, 3);
        Assert.Equal([0.9f, 0.7f], logits.Gather(1, Tensor.FromArray([1L, 0], 2, 1)).ToArray());
    }

    [Fact]
    public void BroadcastingArithmetic()
    {
        var m = Tensor.Arange(6).Reshape(2, 3);
        Assert.Equal([10f, 21f, 32f, 13f, 24f, 35f], (m + Tensor.FromArray([10f, 20f, 30f])).ToArray());
        Assert.Equal([0f, 1f, 2f, 6f, 8f, 10f], (m * Tensor.FromArray([1f, 2f], 2, 1)).ToArray());
        Assert.Equal([1f, 0.5f], (1f / Tensor.FromArray([1f, 2f])).ToArray());
        Assert.Equal([-1f, 0f], (1f - Tensor.FromArray([2f, 1f])).ToArray());
    }

    [Fact]
    public void ReductionsAndArgmax()
    {
        var m = Tensor.FromArray([1f, 5f, 3f, 4f, 2f, 6f], 2, 3);
        Assert.Equal(21f, m.Sum().Item());
        Assert.Equal(3.5f, m.Mean().Item());
        Assert.Equal([5f, 7f, 9f], m.Sum(0).ToArray());
        Assert.Equal([3f, 4f], m.Mean(1).ToArray());
        Assert.Equal([2, 1], m.Mean(1, keepDim: true).Shape);
        Assert.Equal([5f, 6f], m.Max(1).ToArray());
        Assert.Equal([1f, 2f], m.Min(1).ToArray());
        Assert.Equal(DType.Int64, m.Argmax(1).DType);
        Assert.Equal([1L, 2], m.Argmax(1).ToArray<long>());
        Assert.Equal(5, m.Argmax());
        Assert.Equal(6f, m.Max().Item());
    }

    [Fact]
    public void MatMulShapes()
    {
        var a = Tensor.Arange(6).Reshape(2, 3);
        var b = Tensor.Arange(12).Reshape(3, 4);
        Assert.Equal([20f, 23f, 26f, 29f, 56f, 68f, 80f, 92f], a.MatMul(b).ToArray());
        Assert.Equal([4], Tensor.Ones(3).MatMul(b).Shape);
        Assert.Equal([2], a.MatMul(Tensor.Ones(3)).Shape);
        Assert.Equal([5, 2, 4], Tensor.Ones(5, 2, 3).MatMul(b).Shape);
        Assert.Equal([2, 5, 2, 4], Tensor.Ones(2, 1, 2, 3).MatMul(Tensor.Ones(5, 3, 4)).Shape);
        Assert.Equal(3f, Tensor.Ones(2, 1, 2, 3).MatMul(Tensor.Ones(5, 3, 4))[1, 4, 1, 3]);
    }

    [Fact]
    public void ActivationsHaveTheirTextbookValues()
    {
        var x = Tensor.FromArray([-2f, 0f, 3f]);
        Assert.Equal([0f, 0f, 3f], x.Relu().ToArray());
        Assert.Equal([-0.02f, 0f, 3f], x.LeakyRelu().ToArray());
        Assert.Equal(0.5f, x.Sigmoid()[1]);
        Assert.Equal(MathF.Tanh(3f), x.Tanh()[2], 6);
        Assert.Equal(-0.0455003f, x.Gelu()[0], 5);
        Assert.Equal([-1f, 0f, 1f], x.Clamp(-1f, 1f).ToArray());
        Assert.Equal([2f, 0f, 3f], x.Abs().ToArray());
    }

    [Fact]
    public void SoftmaxIsStableForHugeLogits()
    {
        var x = Tensor.FromArray([1000f, -1000f, 0f, 1000f], 2, 2);
        var p = x.Softmax(1).ToArray();
        var lp = x.LogSoftmax(1).ToArray();
        Assert.All(p, v => Assert.True(float.IsFinite(v)));
        Assert.All(lp, v => Assert.True(float.IsFinite(v)));
        Assert.Equal([1f, 0f, 0f, 1f], p);
        Assert.Equal(-2000f, lp[1]);
        Assert.Equal(-1000f, lp[2]);
        var sums = Tensor.Randn([4, 7], new Generator(3)).Softmax(0).Sum(0).ToArray();
        Assert.All(sums, s => Assert.Equal(1f, s, 5));
    }

    [Fact]
    public void OneHotPlacesOneOnePerIndexAndRefusesNonClasses()
    {
        var hot = Tensor.OneHot(Tensor.FromArray([2L, 0, 1, 2], 2, 2), 3);
        Assert.Equal([2, 2, 3], hot.Shape);
        Assert.Equal([0f, 0f, 1f, 1f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 1f], hot.ToArray());
        var e = Assert.Throws<ArgumentException>(() => Tensor.OneHot(Tensor.FromArray([0L, 3], 2), 3));
        Assert.Contains("index 3 at position 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("int64", Assert.Throws<ArgumentException>(() => Tensor.OneHot(Tensor.FromArray([1f], 1), 3)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LikeCreatorsAndLinspaceFollowPyTorch()
    {
        var t = Tensor.Zeros(2, 3);
        Assert.Equal([2, 3], Tensor.OnesLike(t).Shape);
        Assert.All(Tensor.FullLike(t, 7f).ToArray(), v => Assert.Equal(7f, v));
        Assert.Equal(Tensor.Randn([2, 3], new Generator(5)).ToArray(), Tensor.RandnLike(t, new Generator(5)).ToArray());
        Assert.All(Tensor.RandLike(t, new Generator(6)).ToArray(), v => Assert.InRange(v, 0f, 1f));
        Assert.Equal([0f, 0.25f, 0.5f, 0.75f, 1f], Tensor.Linspace(0f, 1f, 5).ToArray());
        Assert.Equal([3f], Tensor.Linspace(3f, 9f, 1).ToArray());
        Assert.Equal(-1f, Tensor.Linspace(2f, -1f, 7).ToArray()[^1]);
        Assert.Throws<ArgumentException>(() => Tensor.Linspace(0f, 1f, 0));
    }

    [Fact]
    public void VarianceStdAndLogSumExpMatchTheirDefinitions()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f, 2f, 2f, 2f, 2f], 2, 4);
        var variance = x.Var(1).ToArray();
        Assert.Equal(5f / 3f, variance[0], 5);
        Assert.Equal(0f, variance[1]);
        Assert.Equal([1.25f, 0f], x.Var(1, unbiased: false).ToArray());
        Assert.Equal(MathF.Sqrt(1.6666666f), x.Std(1).ToArray()[0], 5);
        Assert.Equal([2, 1], x.Var(1, keepDim: true).Shape);
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(3, 1).Var(1));
        var big = Tensor.FromArray([1000f, 1000f, -1000f, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity], 2, 3);
        var lse = big.LogSumExp(1).ToArray();
        Assert.Equal(1000f + MathF.Log(2f), lse[0], 3);
        Assert.Equal(float.NegativeInfinity, lse[1]);
        Assert.Equal(MathF.Log(MathF.Exp(1f) + MathF.Exp(2f) + MathF.Exp(3f) + MathF.Exp(4f)), x.LogSumExp(1).ToArray()[0], 5);
    }

    [Fact]
    public void DoubleScalarsWorkAsInPyTorchAndIntegersStillPickFloat()
    {
        var x = Tensor.FromArray([1f, 2f, 4f], 3);
        Assert.Equal([0.1f, 0.2f, 0.4f], (x * 0.1).ToArray());
        Assert.Equal([0.1f, 0.2f, 0.4f], (0.1 * x).ToArray());
        Assert.Equal([1.5f, 2.5f, 4.5f], (x + 0.5).ToArray());
        Assert.Equal([-0.5f, 0.5f, 2.5f], (x - 1.5).ToArray());
        Assert.Equal([1f, 0f, -2f], (2.0 - x).ToArray());
        Assert.Equal([0.5f, 1f, 2f], (x / 2.0).ToArray());
        Assert.Equal([4f, 2f, 1f], (4.0 / x).ToArray());
        Assert.Equal([2f, 4f, 8f], (x * 2).ToArray());
        var w = Tensor.FromArray([3f], 1).SetRequiresGrad();
        (w * 0.25).Sum().Backward();
        Assert.Equal(0.25f, w.Grad!.Item());
    }

    [Fact]
    public void ShapesAndValuesOfTheNewOpsMatchPyTorch()
    {
        var a = Tensor.FromArray([1f, 2f, 3f], 3);
        var b = Tensor.FromArray([4f, 5f, 6f], 3);
        Assert.Empty(a.MatMul(b).Shape);
        Assert.Equal(32f, a.MatMul(b).Item());
        Assert.Equal(32f, a.Dot(b).Item());
        Assert.Throws<ArgumentException>(() => a.Dot(Tensor.Ones(4)));
        Assert.Equal([3, 3], a.Outer(b).Shape);
        Assert.Equal(12f, a.Outer(b)[1, 2]);
        var x = Tensor.FromArray([3f, 1f, 2f, 0f, 5f, 5f], 2, 3);
        Assert.Equal([1L, 0], x.Argmin(1).ToArray<long>());
        Assert.Equal([1L, 0, 0], x.Argmin(0).ToArray<long>());
        Assert.Equal([1f, 0f, 0f, 0f, 1f, 0f], Tensor.Eye(2, 3).ToArray());
        Assert.Equal([[1, 2], [1, 2], [1, 1]], Tensor.Zeros(1, 5).Split(2, 1).Select(p => p.Shape));
        Assert.Equal(3, Tensor.Zeros(6).Chunk(4).Length);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(6).Split([2, 2]));
        var m = Tensor.Ones(3, 3);
        Assert.Equal([1f, 0f, 0f, 1f, 1f, 0f, 1f, 1f, 1f], m.Tril().ToArray());
        Assert.Equal([0f, 1f, 1f, 0f, 0f, 1f, 0f, 0f, 0f], m.Triu(1).ToArray());
        Assert.Equal([0.5f, 0.25f], Tensor.FromArray([2f, 4f], 2).Reciprocal().ToArray());
        Assert.Equal([0.5f, 0.25f], Tensor.FromArray([4f, 16f], 2).Rsqrt().ToArray());
    }
}
