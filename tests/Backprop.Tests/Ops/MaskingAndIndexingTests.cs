using static Backprop.Tests.Ops.OpCheck;

namespace Backprop.Tests.Ops;

/// <summary>Comparisons, Where, masks, gather/scatter, sorting: values against hand-worked results and reference loops, gradients against finite differences.</summary>
public class MaskingAndIndexingTests
{
    [Fact]
    public void ComparisonsBroadcastAndReturnBool()
    {
        var a = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var row = Tensor.FromArray([2f, 2f, 6f]);
        Assert.Equal(DType.Bool, a.Eq(row).DType);
        Assert.Equal([false, true, false, false, false, true], a.Eq(row).ToArray<bool>());
        Assert.Equal([true, false, true, true, true, false], a.Ne(row).ToArray<bool>());
        Assert.Equal([true, false, true, false, false, false], a.Lt(row).ToArray<bool>());
        Assert.Equal([true, true, true, false, false, true], a.Le(row).ToArray<bool>());
        Assert.Equal([false, false, false, true, true, false], a.Gt(row).ToArray<bool>());
        Assert.Equal([false, true, false, true, true, true], a.Ge(row).ToArray<bool>());
        Assert.Equal([false, false, true, true, true, true], a.Gt(2.5).ToArray<bool>());
        Assert.Equal([false, true], Tensor.FromArray([float.NaN, 1f]).Eq(Tensor.FromArray([float.NaN, 1f])).ToArray<bool>());
        Assert.Equal([true, false], Tensor.FromArray([float.NaN, 1f]).Ne(Tensor.FromArray([float.NaN, 1f])).ToArray<bool>());
    }

    [Fact]
    public void ComparisonsPromoteMixedDTypes()
    {
        var labels = Tensor.FromArray([0L, 2L, 1L]);
        Assert.Equal([true, false, true], labels.Eq(Tensor.FromArray([0L, 1L, 1L])).ToArray<bool>());
        Assert.Equal([false, true, false], labels.Gt(Tensor.FromArray([0.5f, 1.5f, 1.5f])).ToArray<bool>());
        Assert.Equal([false, true, true], labels.Gt(0.5).ToArray<bool>());
        Assert.Equal([false, true, false], labels.Eq(2).ToArray<bool>());
        var predictions = Tensor.FromArray([3f, 1f, 2f, 0f, 1f, 5f], 2, 3).Argmax(1);
        Assert.Equal(1L, predictions.Eq(Tensor.FromArray([0L, 1L])).Sum().Item<long>());
    }

    [Fact]
    public void LogicalOpsAndEqual()
    {
        var p = Tensor.FromArray([true, true, false, false]);
        var q = Tensor.FromArray([true, false, true, false]);
        Assert.Equal([true, false, false, false], p.LogicalAnd(q).ToArray<bool>());
        Assert.Equal([true, true, true, false], p.LogicalOr(q).ToArray<bool>());
        Assert.Equal([false, false, true, true], p.LogicalNot().ToArray<bool>());
        Assert.Throws<ArgumentException>(() => Tensor.Ones(2).LogicalNot());
        Assert.True(p.Equal(Tensor.FromArray([true, true, false, false])));
        Assert.False(p.Equal(q));
        Assert.False(Tensor.Ones(2).Equal(Tensor.Ones([2], DType.Int64)));
    }

    [Fact]
    public void WhereSelectsWithBroadcastingAndSendsEachSideItsGradient()
    {
        var condition = Tensor.FromArray([true, false, true]);
        var a = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        Assert.Equal([1f, -1f, 3f, 4f, -1f, 6f], Tensor.Where(condition, a, -1).ToArray());
        Assert.Equal([9f, 2f, 9f, 9f, 5f, 9f], Tensor.Where(condition, 9, a).ToArray());
        Assert.Equal([10L, 2, 30], Tensor.Where(condition, Tensor.FromArray([10L, 20L, 30L]), Tensor.FromArray([1L, 2L, 3L])).ToArray<long>());
        var mask = Tensor.Rand([3, 4], new Generator(2)).Gt(0.5);
        AssertGradCheck(x => Tensor.Where(mask, x[0], x[1]), Input(1, 3, 4), Input(2, 3, 4));
        AssertGradCheck(x => Tensor.Where(mask, x[0], x[1]), Input(3, 4), Input(4, 3, 1));
        Assert.Contains("bool", Assert.Throws<ArgumentException>(() => Tensor.Where(Tensor.Ones(3), a, a)).Message, StringComparison.Ordinal);
        Assert.Contains("float32 [2,3] and int64", Assert.Throws<ArgumentException>(() => Tensor.Where(condition, a, Tensor.FromArray([1L]))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaskedFillWritesTheValueWhereTheMaskHolds()
    {
        var scores = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        var causal = Tensor.FromArray([false, true, false, false], 2, 2);
        Assert.Equal([1f, float.NegativeInfinity, 3f, 4f], scores.MaskedFill(causal, double.NegativeInfinity).ToArray());
        Assert.Equal([0f, 0f, 3f, 4f], scores.MaskedFill(Tensor.FromArray([true, false], 2, 1), 0).ToArray());
        AssertGradCheck(x => x[0].MaskedFill(causal, 5), Input(5, 2, 2));
        Assert.Contains("must broadcast", Assert.Throws<ArgumentException>(() => Tensor.Ones(2).MaskedFill(Tensor.Ones([2, 2], DType.Bool), 0)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaskedSelectAndTensorIndexing()
    {
        var x = Tensor.FromArray([1f, -2f, 3f, -4f, 5f, -6f], 2, 3);
        Assert.Equal([1f, 3f, 5f], x[x.Gt(0)].ToArray());
        Assert.Equal([1f, 3f, -4f, -6f], x.MaskedSelect(Tensor.FromArray([true, false, true, false, false, true], 2, 3).LogicalOr(Tensor.FromArray([false, false, false, true, false, false], 2, 3))).ToArray());
        Assert.Equal([-2f, -6f], x.MaskedSelect(Tensor.FromArray([false, true, false, false, false, true], 2, 3)).ToArray());
        var rows = x[Tensor.FromArray([1L, 1L, 0L], 3)];
        Assert.Equal([3, 3], rows.Shape);
        Assert.Equal([-4f, 5f, -6f, -4f, 5f, -6f, 1f, -2f, 3f], rows.ToArray());
        Assert.Equal([2, 1, 3], x[Tensor.FromArray([0L, -1L], 2, 1)].Shape);
        var mask = Tensor.Rand([3, 4], new Generator(8)).Gt(0.4);
        AssertGradCheck(t => t[0].MaskedSelect(mask), Input(6, 3, 4));
        AssertGradCheck(t => t[0][Tensor.FromArray([2L, 0L, 2L])], Input(7, 3, 4));
    }

    [Fact]
    public void GatherTakesInt64AndMatchesAReferenceLoop()
    {
        var x = Tensor.Randn([3, 4, 5], new Generator(3));
        var index = Tensor.FromArray(Enumerable.Range(0, 3 * 2 * 5).Select(i => (long)((i * 7) % 4)).ToArray(), 3, 2, 5);
        var got = x.Gather(1, index);
        Assert.Equal([3, 2, 5], got.Shape);
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 2; j++)
            {
                for (var k = 0; k < 5; k++)
                {
                    Assert.Equal(x[i, (int)index.AsSpan<long>()[(((i * 2) + j) * 5) + k], k], got[i, j, k]);
                }
            }
        }

        var smaller = Tensor.FromArray([3L, 0L], 1, 2);
        Assert.Equal([x[0, 3, 0], x[0, 0, 1]], x.Reshape(3, 4, 5).Narrow(0, 0, 1).Reshape(1, 4, 5).Reshape(4, 5).Gather(0, smaller).ToArray());
        AssertGradCheck(t => t[0].Gather(2, Tensor.FromArray([4L, 4L, 0L, 1L, 2L, 3L], 1, 3, 2)), Input(9, 2, 3, 5));
        Assert.Contains("int64", Assert.Throws<ArgumentException>(() => x.Gather(1, index.Float())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScatterWritesAndScatterAddSums()
    {
        var zeros = Tensor.Zeros(2, 4);
        var index = Tensor.FromArray([1L, 3L, 0L, 0L], 2, 2);
        var source = Tensor.FromArray([10f, 20f, 30f, 40f], 2, 2);
        Assert.Equal([0f, 10f, 0f, 20f, 40f, 0f, 0f, 0f], zeros.Scatter(1, index, source).ToArray());
        Assert.Equal([0f, 10f, 0f, 20f, 70f, 0f, 0f, 0f], zeros.ScatterAdd(1, index, source).ToArray());
        Assert.Equal([0f, 7f, 0f, 7f, 7f, 0f, 0f, 0f], zeros.Scatter(1, index, 7).ToArray());
        Assert.Equal([0L, 5, 0, 5], Tensor.Zeros([1, 4], DType.Int64).Scatter(1, Tensor.FromArray([1L, 3L], 1, 2), 5).ToArray<long>());
        var distinct = Tensor.FromArray([2L, 0L, 1L, 1L, 2L, 0L], 2, 3);
        AssertGradCheck(t => t[0].Scatter(1, distinct, t[1]), Input(10, 2, 4), Input(11, 2, 3));
        AssertGradCheck(t => t[0].ScatterAdd(1, index, t[1]), Input(12, 2, 4), Input(13, 2, 3));
        AssertGradCheck(t => t[0].Scatter(1, index, t[1]), Input(14, 2, 4), Input(15, 2, 2));
    }

    [Fact]
    public void IndexAddSumsSlicesIntoPlace()
    {
        var x = Tensor.Zeros(3, 2);
        var got = x.IndexAdd(0, Tensor.FromArray([2L, 0L, 2L]), Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 3, 2));
        Assert.Equal([3f, 4f, 0f, 0f, 6f, 8f], got.ToArray());
        AssertGradCheck(t => t[0].IndexAdd(1, Tensor.FromArray([3L, 0L, 3L]), t[1]), Input(16, 2, 4), Input(17, 2, 3));
        Assert.Contains("out of range", Assert.Throws<ArgumentOutOfRangeException>(() => x.IndexAdd(0, Tensor.FromArray([3L]), Tensor.Ones(1, 2))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxAndMinWithIndicesReturnInt64Positions()
    {
        var x = Tensor.FromArray([3f, 7f, 7f, -1f, 0f, -5f], 2, 3);
        var (values, indices) = x.MaxWithIndices(1);
        Assert.Equal([7f, 0f], values.ToArray());
        Assert.Equal([1L, 1], indices.ToArray<long>());
        var (low, where) = x.MinWithIndices(0, keepDim: true);
        Assert.Equal([1, 3], low.Shape);
        Assert.Equal([-1f, 0f, -5f], low.ToArray());
        Assert.Equal([1L, 1, 1], where.ToArray<long>());
        AssertGradCheck(t => t[0].MaxWithIndices(1).Values, Input(18, 3, 5));
    }

    [Fact]
    public void SortIsStableAndTopKPicksTheExtremes()
    {
        var x = Tensor.FromArray([3f, 1f, 2f, 1f, float.NaN, 0f], 1, 6);
        var (sorted, order) = x.Sort();
        Assert.Equal([0f, 1f, 1f, 2f, 3f], sorted.ToArray().Take(5));
        Assert.True(float.IsNaN(sorted.ToArray()[5]));
        Assert.Equal([5L, 1, 3, 2, 0, 4], order.ToArray<long>());
        var (down, downOrder) = Tensor.FromArray([1f, 3f, 3f, 2f]).Sort(descending: true);
        Assert.Equal([3f, 3f, 2f, 1f], down.ToArray());
        Assert.Equal([1L, 2, 3, 0], downOrder.ToArray<long>());
        var m = Tensor.FromArray([5f, 1f, 4f, 2f, 8f, 0f], 3, 2);
        var (top, where) = m.TopK(2, dim: 0);
        Assert.Equal([8f, 2f, 5f, 1f], top.ToArray());
        Assert.Equal([2L, 1, 0, 0], where.ToArray<long>());
        var (bottom, _) = m.TopK(1, dim: 1, largest: false);
        Assert.Equal([1f, 2f, 0f], bottom.ToArray());
        AssertGradCheck(t => t[0].Sort(1).Values, Input(19, 3, 5));
        AssertGradCheck(t => t[0].TopK(2, 0).Values, Input(20, 4, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.TopK(4, 0));
    }

    [Fact]
    public void CrossEntropyAndNllTakeInt64Targets()
    {
        var logits = Tensor.FromArray([1f, 2f, 3f, 1f, 1f, 1f], 2, 3);
        var loss = new Backprop.NN.Losses.CrossEntropyLoss().Forward(logits, Tensor.FromArray([2L, 0L]));
        var expected = ((-MathF.Log(MathF.Exp(3f) / (MathF.Exp(1f) + MathF.Exp(2f) + MathF.Exp(3f)))) + MathF.Log(3f)) / 2f;
        Assert.Equal(expected, loss.Item(), 5);
        var e = Assert.Throws<ArgumentException>(() => new Backprop.NN.Losses.CrossEntropyLoss().Forward(logits, Tensor.FromArray([2f, 0f])));
        Assert.Contains("int64", e.Message, StringComparison.Ordinal);
        Assert.Contains("Long()", e.Message, StringComparison.Ordinal);
    }
}
