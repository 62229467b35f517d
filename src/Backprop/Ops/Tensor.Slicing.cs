using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// Indexing with C# indices and ranges, as PyTorch's basic indexing: t[1..3] and t[.., ^1] keep or drop
    /// dimensions, and positions not given keep their dimension whole. (A single int, t[1], is the element
    /// indexer; write t[1, ..] for a row.) The result is a view, as in PyTorch: it shares this tensor's storage,
    /// so writing into it (<see cref="Fill"/>, <see cref="CopyFrom"/>, or assigning through this indexer) changes
    /// this tensor, and it sees this tensor's later changes. Differentiable; any dtype.
    /// </summary>
    /// <param name="indices">One index or range per leading dimension.</param>
    /// <value>On assignment, the values to write into the slice (PyTorch's t[:, 1:3] = value): a tensor that broadcasts to the slice's shape, converted to this tensor's dtype. Records no graph, like the other in-place changes.</value>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public Tensor this[params TensorIndex[] indices]
    {
        get => Index(indices);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            Tensor slice;
            using (NoGrad())
            {
                slice = Index(indices);   // the target only: no graph to record
            }

            var shape = Shapes.Broadcast("Indexer set", slice.Dims, value.Dims);
            if (!shape.AsSpan().SequenceEqual(slice.Dims))
            {
                throw new ArgumentException($"Indexer set: a value of shape {Shapes.Format(value.Dims)} does not broadcast to the slice's shape {Shapes.Format(slice.Dims)} (of a tensor of shape {Shapes.Format(Dims)}).", nameof(value));
            }

            CheckInPlace("Indexer set");
            CheckInPlaceSource("Indexer set", "the value", value, "build the result with ops (Cat, Stack, Where), or set it inside Tensor.NoGrad() if no gradient should reach it");

            using (NoGrad())
            {
                slice.CopyFrom(value.Dims.AsSpan().SequenceEqual(slice.Dims) ? value : value.Expand(slice.Dims));
            }
        }
    }

    /// <summary>
    /// Every <paramref name="step"/>-th index from <paramref name="start"/> up to <paramref name="end"/> (exclusive)
    /// along one dimension, as PyTorch's t[start:end:step] there; negative bounds count from the end and are clamped
    /// as Python clamps them. A view (it shares this tensor's storage, as in PyTorch); differentiable; any dtype.
    /// </summary>
    /// <param name="dim">The dimension.</param>
    /// <param name="start">The first index.</param>
    /// <param name="end">The exclusive end (int.MaxValue for the end of the dimension).</param>
    /// <param name="step">The step; positive.</param>
    /// <returns>The slice.</returns>
    public Tensor Slice(int dim, int start, int end = int.MaxValue, int step = 1)
    {
        var d = Shapes.NormalizeDim("Slice", dim, Rank);
        if (step <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, $"Slice: the step must be positive (shape {Shapes.Format(Dims)}).");
        }

        var n = Dims[d];
        var from = Math.Clamp(start < 0 ? start + n : start, 0, n);
        var to = Math.Clamp(end < 0 ? end + n : end, from, n);
        var (starts, sizes, steps, keep) = WholeDimensions();
        (starts[d], sizes[d], steps[d]) = (from, (to - from + step - 1) / step, step);
        return BasicView("Slice", starts, sizes, steps, keep);
    }

    /// <summary>The slice at <paramref name="index"/> of one dimension, which is removed (torch.select): t.Select(0, 1) is t[1, ..]. A view, as in PyTorch.</summary>
    /// <param name="dim">The dimension.</param>
    /// <param name="index">The index; negative counts from the end.</param>
    /// <returns>The slice, one dimension fewer.</returns>
    public Tensor Select(int dim, int index)
    {
        var d = Shapes.NormalizeDim("Select", dim, Rank);
        var i = index < 0 ? index + Dims[d] : index;
        if (i < 0 || i >= Dims[d])
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"Select: index {index} is out of range for dimension {dim} of size {Dims[d]} (shape {Shapes.Format(Dims)}).");
        }

        var (starts, sizes, steps, keep) = WholeDimensions();
        (starts[d], sizes[d], keep[d]) = (i, 1, false);
        return BasicView("Select", starts, sizes, steps, keep);
    }

    /// <summary>The view behind the indexer, for its getter and setter.</summary>
    private Tensor Index(TensorIndex[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Length > Rank)
        {
            throw new ArgumentException($"Indexer: {indices.Length} positions given for a tensor of shape {Shapes.Format(Dims)}.", nameof(indices));
        }

        var (starts, sizes, steps, keep) = WholeDimensions();
        for (var d = 0; d < indices.Length; d++)
        {
            if (indices[d].Position is { } single)
            {
                var i = single.GetOffset(Dims[d]);
                if (i < 0 || i >= Dims[d])
                {
                    throw new ArgumentOutOfRangeException(nameof(indices), $"Indexer: index {single} is out of range for dimension {d} of size {Dims[d]} (shape {Shapes.Format(Dims)}).");
                }

                (starts[d], sizes[d], keep[d]) = (i, 1, false);
            }
            else
            {
                // Python's slice rule: the bounds are clamped to the dimension, and an empty slice is allowed.
                var range = indices[d].Range;
                var from = Math.Clamp(range.Start.GetOffset(Dims[d]), 0, Dims[d]);
                var to = Math.Clamp(range.End.GetOffset(Dims[d]), from, Dims[d]);
                (starts[d], sizes[d]) = (from, to - from);
            }
        }

        return BasicView("Index", starts, sizes, steps, keep);
    }

    /// <summary>The arguments of <see cref="BasicView"/> that keep every dimension whole, for an op to narrow.</summary>
    private (int[] Starts, int[] Sizes, int[] Steps, bool[] Keep) WholeDimensions()
    {
        var steps = new int[Rank];
        var keep = new bool[Rank];
        Array.Fill(steps, 1);
        Array.Fill(keep, true);
        return (new int[Rank], (int[])Dims.Clone(), steps, keep);
    }
}
