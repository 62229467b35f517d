using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// Indexing with C# indices and ranges, as PyTorch's basic indexing: t[1..3] and t[.., ^1] keep or drop
    /// dimensions, and positions not given keep their dimension whole. (A single int, t[1], is the element
    /// indexer; write t[1, ..] for a row.) The result is a copy (PyTorch returns a view): writing into it
    /// leaves this tensor as it is. Differentiable; any dtype.
    /// </summary>
    /// <param name="indices">One index or range per leading dimension.</param>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public Tensor this[params TensorIndex[] indices]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(indices);
            if (indices.Length > Rank)
            {
                throw new ArgumentException($"Indexer: {indices.Length} positions given for a tensor of shape {Shapes.Format(Dims)}.", nameof(indices));
            }

            var starts = new int[Rank];
            var sizes = (int[])Dims.Clone();
            var keep = new List<int>();
            for (var d = 0; d < Rank; d++)
            {
                if (d >= indices.Length)
                {
                    keep.Add(d);
                    continue;
                }

                if (indices[d].Position is { } single)
                {
                    var i = single.GetOffset(Dims[d]);
                    if (i < 0 || i >= Dims[d])
                    {
                        throw new ArgumentOutOfRangeException(nameof(indices), $"Indexer: index {single} is out of range for dimension {d} of size {Dims[d]} (shape {Shapes.Format(Dims)}).");
                    }

                    (starts[d], sizes[d]) = (i, 1);
                }
                else
                {
                    // Python's slice rule: the bounds are clamped to the dimension, and an empty slice is allowed.
                    var range = indices[d].Range;
                    var from = Math.Clamp(range.Start.GetOffset(Dims[d]), 0, Dims[d]);
                    var to = Math.Clamp(range.End.GetOffset(Dims[d]), from, Dims[d]);
                    (starts[d], sizes[d]) = (from, to - from);
                    keep.Add(d);
                }
            }

            var strides = Shapes.Strides(Dims);
            var block = Remap("Index", sizes, c =>
            {
                var p = 0;
                for (var i = 0; i < c.Length; i++)
                {
                    p += (starts[i] + c[i]) * strides[i];
                }

                return p;
            });
            return block.Reshape([.. keep.Select(d => sizes[d])]);
        }
    }

    /// <summary>
    /// Every <paramref name="step"/>-th index from <paramref name="start"/> up to <paramref name="end"/> (exclusive)
    /// along one dimension, as PyTorch's t[start:end:step] there; negative bounds count from the end and are clamped
    /// as Python clamps them. A copy; differentiable; any dtype.
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
        var shape = (int[])Dims.Clone();
        shape[d] = (to - from + step - 1) / step;
        var strides = Shapes.Strides(Dims);
        return Remap("Slice", shape, c =>
        {
            var p = 0;
            for (var i = 0; i < c.Length; i++)
            {
                p += (i == d ? from + (c[i] * step) : c[i]) * strides[i];
            }

            return p;
        });
    }

    /// <summary>The slice at <paramref name="index"/> of one dimension, which is removed (torch.select): t.Select(0, 1) is t[1, ..].</summary>
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

        return Narrow(d, i, 1).Squeeze(d);
    }
}
