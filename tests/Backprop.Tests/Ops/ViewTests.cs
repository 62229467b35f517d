using System.Text.Json;

namespace Backprop.Tests.Ops;

/// <summary>Slices, selections and narrowed ranges are views, as in PyTorch: they share storage both ways, and keep autograd honest.</summary>
public class ViewTests
{
    private static Tensor Matrix() => Tensor.Arange(12).Reshape(3, 4);

    [Fact]
    public void WritingIntoASliceChangesItsBase()
    {
        var t = Matrix();
        var columns = t[.., 1..3];
        Assert.True(columns.IsView);
        Assert.False(columns.IsContiguous);
        Assert.Equal([4, 1], columns.Strides);
        Assert.Equal(1, columns.StorageOffset);

        columns.Fill(-1);
        Assert.Equal([0f, -1f, -1f, 3f, 4f, -1f, -1f, 7f, 8f, -1f, -1f, 11f], t.ToArray());

        t[1, ..][3] = 70f;                                 // the element indexer writes through too
        Assert.Equal(70f, t[1, 3]);
        t.Select(0, 2).AddInPlace(Tensor.Ones(4), 100f);   // and every in-place op
        Assert.Equal([108f, 99f, 99f, 111f], t[2, ..].ToArray());
        t.Narrow(1, 0, 1).CopyFrom(Tensor.FromArray([5f, 6f, 7f], [3, 1]));
        Assert.Equal([5f, 6f, 7f], t[.., 0].ToArray());
        t.Slice(1, 1, step: 2).MulInPlace(0f);
        Assert.Equal([5f, 0f, -1f, 0f], t[0, ..].ToArray());
    }

    [Fact]
    public void ASliceSeesItsBaseChange()
    {
        var t = Matrix();
        var row = t[1, ..];
        var strided = t.Slice(1, 0, step: 3);
        Assert.Equal([4f, 5f, 6f, 7f], row.ToArray());
        t.AddInPlace(Tensor.Full(10, [3, 4]));
        Assert.Equal([14f, 15f, 16f, 17f], row.ToArray());
        Assert.Equal([10f, 13f, 14f, 17f, 18f, 21f], strided.ToArray());
        Assert.Equal(28f, (row * 2f).Sum().Item() - 96f);

        // Views of views compose, reshapes of views stay views, and a sibling view sees the change.
        var corner = t[..2, 2..][.., 1];
        Assert.Equal([13f, 17f], corner.ToArray());
        row.Reshape(2, 2)[1, ..].Fill(0);
        Assert.Equal([14f, 15f, 0f, 0f], t[1, ..].ToArray());
        Assert.Equal([13f, 0f], corner.ToArray());
        Assert.Equal([14f, 15f, 0f, 0f], row.ToArray());
    }

    [Fact]
    public void TheIndexerSetterAssignsABroadcastValue()
    {
        var t = Matrix();
        t[.., 1..3] = Tensor.Scalar(0f);
        Assert.Equal([0f, 0f, 0f, 3f], t[0, ..].ToArray());
        t[^1] = Tensor.FromArray([1f, 2f, 3f, 4f]);
        Assert.Equal([1f, 2f, 3f, 4f], t[2, ..].ToArray());
        t[..2, 3] = Tensor.FromArray([30f, 70f]);
        Assert.Equal([30f, 70f, 4f], t[.., 3].ToArray());

        var ids = Tensor.Zeros([2, 3], DType.Int64);
        ids[1, ..] = Tensor.FromArray([7L, 8L, 9L]);
        Assert.Equal([0L, 0L, 0L, 7L, 8L, 9L], ids.ToArray<long>());
        var mask = Tensor.Zeros([4], DType.Bool);
        mask[1..3] = Tensor.Ones([1], DType.Bool);
        Assert.Equal([false, true, true, false], mask.ToArray<bool>());

        var error = Assert.Throws<ArgumentException>(() => t[.., 1..3] = Tensor.Ones(3));
        Assert.Contains("Indexer set: shapes [3,2] and [3] cannot", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => t[.., 1..3] = Tensor.Ones(2, 3, 2));
        Assert.Contains("[2,3,2] does not broadcast to the slice's shape [3,2]", error.Message, StringComparison.Ordinal);
        Assert.Equal(0f, t[0, 1]);
    }

    [Fact]
    public void ReshapeCopiesAViewItsStridesCannotGiveAndViewRefusesIt()
    {
        var t = Matrix();
        var columns = t[.., 1..3];
        var flat = columns.Reshape(6);
        Assert.Equal([1f, 2f, 5f, 6f, 9f, 10f], flat.ToArray());
        flat.Fill(0);
        Assert.Equal(1f, t[0, 1]);
        var error = Assert.Throws<InvalidOperationException>(() => columns.View(6));
        Assert.Contains("View: the tensor of shape [3,2] is a view with strides [4,1]", error.Message, StringComparison.Ordinal);

        // Contiguous copies only what is not.
        Assert.Same(t, t.Contiguous());
        var rows = t[1..];
        Assert.Same(rows, rows.Contiguous());
        Assert.Equal([4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f], rows.View(8).ToArray());
        var copy = columns.Contiguous();
        Assert.True(copy.IsContiguous);
        Assert.False(copy.IsView);
    }

    [Fact]
    public void AViewOfAParameterChangesOnlyWithoutGradMode()
    {
        var w = Tensor.Arange(6).Reshape(2, 3).SetRequiresGrad();
        var error = Assert.Throws<InvalidOperationException>(() => w[0, ..].Fill(0));
        Assert.Contains("is a view of a leaf of shape [2,3] that requires grad", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => w[.., 0] = Tensor.Scalar(1f));
        Assert.Equal(0f, w[0, 0]);

        using (Tensor.NoGrad())
        {
            w[0, ..].Fill(9);
        }

        Assert.Equal([9f, 9f, 9f, 3f, 4f, 5f], w.ToArray());

        // A detached view changes it in grad mode too, as PyTorch's detach() does.
        w.Detach()[1, ..].Fill(1);
        Assert.Equal([1f, 1f, 1f], w[1, ..].ToArray());
    }

    [Fact]
    public void GradientsFlowThroughViewsAndAChangedBaseIsCaught()
    {
        var x = Tensor.Arange(6).Reshape(2, 3).SetRequiresGrad();
        var y = x * 1f;
        var loss = (y[.., 1..] * y[.., 1..]).Sum() + y[1, ..].Sum();
        loss.Backward();
        Assert.Equal([0f, 2f, 4f, 1f, 9f, 11f], x.Grad!.ToArray());

        // The product saved the slices; changing their base in place makes backward refuse.
        var z = x * 1f;
        var slice = z[0, ..];
        var product = (slice * slice).Sum();
        z.AddInPlace(Tensor.Ones(2, 3));
        var refusal = Assert.Throws<InvalidOperationException>(() => product.Backward());
        Assert.Contains("in place", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AScopeReleasesViewsWithTheirBaseAndKeepKeepsBoth()
    {
        var t = Tensor.Arange(8).Reshape(2, 4);
        Tensor kept, dropped, inner;
        using (var scope = Tensor.NewScope())
        {
            inner = t * 2f;
            dropped = inner[.., 1..];
            kept = scope.Keep((t * 3f)[.., 2..]);
            Assert.Equal([6f, 9f, 18f, 21f], kept.ToArray());
        }

        Assert.True(dropped.IsReleased);
        Assert.True(inner.IsReleased);
        Assert.False(kept.IsReleased);
        Assert.Equal([6f, 9f, 18f, 21f], kept.ToArray());
        Assert.Throws<InvalidOperationException>(() => dropped.ToArray());

        // A slice of a tensor from outside the scope goes with the scope; its base stays.
        Tensor slice;
        using (Tensor.NewScope())
        {
            slice = t[1, ..];
        }

        Assert.True(slice.IsReleased);
        Assert.False(t.IsReleased);
    }

    [Fact]
    public void StridesOffsetsAndValuesMatchPyTorch()
    {
        using var cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "views.json")));
        var checkedCases = 0;
        foreach (var c in cases.RootElement.EnumerateArray())
        {
            var shape = Ints(c.GetProperty("shape"));
            var t = Tensor.Arange(shape.Aggregate(1, (a, b) => a * b)).Reshape(shape);
            var description = $"case {checkedCases}: {c.GetProperty("ops")}";
            var viewable = c.GetProperty("viewable").GetBoolean();
            foreach (var op in c.GetProperty("ops").EnumerateArray())
            {
                var a = op.EnumerateArray().ToArray();
                var name = a[0].GetString();
                if (name == "view" && !viewable)
                {
                    Assert.Throws<InvalidOperationException>(() => t.View(Ints(a[1])));
                    var values = t.ToArray();
                    var copy = t.Reshape(Ints(a[1]));
                    Assert.Equal(values, copy.ToArray());
                    copy.Fill(-1);
                    Assert.Equal(values, t.ToArray());
                    break;
                }

                t = name switch
                {
                    "slice" => t.Slice(a[1].GetInt32(), a[2].GetInt32(), a[3].GetInt32(), a[4].GetInt32()),
                    "select" => t.Select(a[1].GetInt32(), a[2].GetInt32()),
                    "narrow" => t.Narrow(a[1].GetInt32(), a[2].GetInt32(), a[3].GetInt32()),
                    _ => t.View(Ints(a[1])),
                };
            }

            if (viewable)
            {
                Assert.Equal(Ints(c.GetProperty("dims")), t.Shape);
                Assert.Equal(c.GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble()), t.ToArray());
                if (t.Numel > 0)
                {
                    Assert.True(c.GetProperty("offset").GetInt32() == t.StorageOffset, description);
                    var strides = Ints(c.GetProperty("stride"));
                    for (var d = 0; d < t.Rank; d++)
                    {
                        Assert.True(t.Shape[d] == 1 || strides[d] == t.Strides[d], $"{description}: stride {d}");
                    }
                }
            }

            checkedCases++;
        }

        Assert.Equal(200, checkedCases);
    }

    private static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetInt32())];
}
