namespace Backprop.Tests.Autograd;

/// <summary>
/// The in-place ops record no graph, so on a tensor autograd tracks they are refused wherever the gradient would come
/// out wrong (before this, y = x·2 then y.ReluInPlace() gave x the gradient 2 everywhere), and allowed where it would not.
/// </summary>
public class InPlaceAutogradTests
{
    private static Tensor Tracked() => Tensor.FromArray([1f, -2f, 3f]).SetRequiresGrad() * 2f;

    public static TheoryData<string> GradientChangingOps => new() { "ReluInPlace", "MulInPlace", "Fill", "CopyFrom", "indexer set", "Indexer set" };

    private static void Apply(string op, Tensor y)
    {
        switch (op)
        {
            case "ReluInPlace": y.ReluInPlace(); break;
            case "MulInPlace": y.MulInPlace(3f); break;
            case "Fill": y.Fill(0); break;
            case "CopyFrom": y.CopyFrom(Tensor.Zeros(3)); break;
            case "indexer set": y[0] = 5f; break;           // the element indexer
            case "Indexer set": y[..2] = Tensor.Zeros(2); break; // the range indexer
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "not an in-place op of this test");
        }
    }

    [Theory]
    [MemberData(nameof(GradientChangingOps))]
    public void AChangeThatWouldCorruptTheGradientIsRefusedAndChangesNothing(string op)
    {
        var y = Tracked();
        var error = Assert.Throws<InvalidOperationException>(() => Apply(op, y));
        Assert.Contains($"{op}: the tensor of shape [", error.Message, StringComparison.Ordinal);
        Assert.Contains("comes from MulScalar", error.Message, StringComparison.Ordinal);
        Assert.Contains("records no graph", error.Message, StringComparison.Ordinal);
        Assert.Equal([2f, -4f, 6f], y.ToArray());
    }

    [Theory]
    [MemberData(nameof(GradientChangingOps))]
    public void InsideNoGradTheChangeIsTheCallersChoice(string op)
    {
        var y = Tracked();
        using (Tensor.NoGrad())
        {
            Apply(op, y);
        }

        Assert.NotEqual([2f, -4f, 6f], y.ToArray());
    }

    [Fact]
    public void AddingAConstantInPlaceKeepsTheGradientRight()
    {
        var x = Tensor.FromArray([1f, -2f, 3f]).SetRequiresGrad();
        var y = x * 2f;
        y.AddInPlace(Tensor.FromArray([0.5f]), 2f).SubInPlace(Tensor.Ones(3));
        (y * y).Sum().Backward();

        // y = 2x + 1 - 1 = 2x, so d(Σy²)/dx = 4y = 8x.
        Assert.Equal([8f, -16f, 24f], x.Grad!.ToArray());
    }

    [Fact]
    public void ATrackedSourceIsRefusedSinceItsGradientWouldBeLost()
    {
        var source = Tensor.FromArray([1f, 2f, 3f]).SetRequiresGrad();
        var target = Tensor.Zeros(3);
        var add = Assert.Throws<InvalidOperationException>(() => target.AddInPlace(source * 1f));
        Assert.Contains("AddInPlace: the tensor added, of shape [3], requires grad", add.Message, StringComparison.Ordinal);
        var copy = Assert.Throws<InvalidOperationException>(() => target.CopyFrom(source));
        Assert.Contains("CopyFrom: the source, of shape [3], requires grad", copy.Message, StringComparison.Ordinal);
        var set = Assert.Throws<InvalidOperationException>(() => target[1..] = source[1..]);
        Assert.Contains("Indexer set: the value, of shape [2], requires grad", set.Message, StringComparison.Ordinal);
        Assert.Equal([0f, 0f, 0f], target.ToArray());

        target.CopyFrom(source.Detach());
        using (Tensor.NoGrad())
        {
            target.AddInPlace(source);
        }

        Assert.Equal([2f, 4f, 6f], target.ToArray());
    }

    [Fact]
    public void EmbeddingIndicesChangedBeforeBackwardAreReportedNotReadChanged()
    {
        // Embedding's backward reads the indices where they are, so changing them in between must not move the gradient silently.
        var table = Tensor.Arange(0, 8).Reshape(4, 2).SetRequiresGrad();
        var indices = Tensor.FromArray(new long[] { 1, 3 });
        var picked = Tensor.Embedding(indices, table);
        indices.CopyFrom(Tensor.FromArray(new long[] { 0, 0 }));
        var error = Assert.Throws<InvalidOperationException>(() => picked.Sum().Backward());
        Assert.Contains("'Embedding' saved a tensor of shape [2]", error.Message, StringComparison.Ordinal);
        Assert.Contains("modified in place", error.Message, StringComparison.Ordinal);

        var again = Tensor.Embedding(indices, table);
        again.Sum().Backward();
        Assert.Equal([2f, 2f, 0f, 0f, 0f, 0f, 0f, 0f], table.Grad!.ToArray());
    }
}
