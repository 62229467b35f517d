using System.Numerics.Tensors;
using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>Joins tensors along an existing dimension; all other dimensions must agree.</summary>
    /// <param name="tensors">The tensors, at least one.</param>
    /// <param name="dim">The dimension to join along.</param>
    /// <returns>The joined tensor.</returns>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new ArgumentException("Cat: no tensors given.", nameof(tensors));
        }

        var first = tensors[0];
        var d = Shapes.NormalizeDim("Cat", dim, first.Rank);
        var shape = (int[])first.Dims.Clone();
        shape[d] = 0;
        var needsGrad = false;
        foreach (var t in tensors)
        {
            var compatible = t.Rank == first.Rank;
            for (var i = 0; compatible && i < t.Rank; i++)
            {
                compatible = i == d || t.Dims[i] == first.Dims[i];
            }

            if (!compatible)
            {
                throw new ArgumentException($"Cat: shapes {Shapes.Format(first.Dims)} and {Shapes.Format(t.Dims)} differ outside dimension {dim}.", nameof(tensors));
            }

            if (t._dtype != first._dtype)
            {
                throw new ArgumentException($"Cat: the tensors are {first._dtype.Name()} and {t._dtype.Name()}; convert them to one dtype first.", nameof(tensors));
            }

            shape[d] += t.Dims[d];
            needsGrad |= NeedsGrad(t);
        }

        var (outer, total, inner) = Shapes.Split(shape, d);
        var result = NewOutput(shape, first._dtype);
        var destination = result.RawStorage;
        var offset = 0;
        foreach (var t in tensors)
        {
            var block = t.Dims[d] * inner;
            var source = t.RawStorage;
            for (var o = 0; o < outer; o++)
            {
                Array.Copy(source, o * block, destination, (o * total * inner) + offset, block);
            }

            offset += block;
        }

        if (needsGrad)
        {
            var inputs = tensors.ToArray();
            result.Record("Cat", inputs, g =>
            {
                var start = 0;
                foreach (var t in inputs)
                {
                    var block = t.Dims[d] * inner;
                    if (t.RequiresGrad)
                    {
                        var grad = t.GradAccumulator();
                        for (var o = 0; o < outer; o++)
                        {
                            var dst = grad.Slice(o * block, block);
                            TensorPrimitives.Add(dst, g.AsSpan((o * total * inner) + start, block), dst);
                        }
                    }

                    start += block;
                }
            }, graph: (o, g, x) =>
            {
                var grads = new Tensor?[x.Length];
                for (int i = 0, start = 0; i < x.Length; start += x[i].Dims[d], i++)
                {
                    grads[i] = x[i].RequiresGrad ? g.Narrow(d, start, x[i].Dims[d]) : null;
                }

                return grads;
            });
        }

        return result;
    }

    /// <summary>Stacks tensors of equal shape along a new dimension.</summary>
    /// <param name="tensors">The tensors, at least one.</param>
    /// <param name="dim">Where the new dimension goes.</param>
    /// <returns>The stacked tensor.</returns>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new ArgumentException("Stack: no tensors given.", nameof(tensors));
        }

        var unsqueezed = new Tensor[tensors.Count];
        for (var i = 0; i < tensors.Count; i++)
        {
            if (!tensors[i].Dims.AsSpan().SequenceEqual(tensors[0].Dims))
            {
                throw new ArgumentException($"Stack: tensor {i} has shape {Shapes.Format(tensors[i].Dims)} but tensor 0 has {Shapes.Format(tensors[0].Dims)}.", nameof(tensors));
            }

            unsqueezed[i] = tensors[i].Unsqueeze(dim);
        }

        return Cat(unsqueezed, dim);
    }

    /// <summary>The slice start..start+length-1 of one dimension: a view, as in PyTorch (it shares this tensor's storage).</summary>
    /// <param name="dim">The dimension.</param>
    /// <param name="start">The first index.</param>
    /// <param name="length">How many indices.</param>
    /// <returns>The slice.</returns>
    public Tensor Narrow(int dim, int start, int length)
    {
        var d = Shapes.NormalizeDim("Narrow", dim, Rank);
        if (start < 0 || length < 0 || start + length > Dims[d])
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"Narrow: [{start}, {start + length}) is outside dimension {dim} of size {Dims[d]} (shape {Shapes.Format(Dims)}).");
        }

        var (starts, sizes, steps, keep) = WholeDimensions();
        (starts[d], sizes[d]) = (start, length);
        return BasicView("Narrow", starts, sizes, steps, keep);
    }

    /// <summary>The given indices along one dimension, in the given order (a copy); indices may repeat.</summary>
    /// <param name="dim">The dimension.</param>
    /// <param name="indices">The indices.</param>
    /// <returns>The selected slices.</returns>
    public Tensor IndexSelect(int dim, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var d = Shapes.NormalizeDim("IndexSelect", dim, Rank);
        foreach (var i in indices)
        {
            if (i < 0 || i >= Dims[d])
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"IndexSelect: index {i} is out of range for dimension {dim} of size {Dims[d]} (shape {Shapes.Format(Dims)}).");
            }
        }

        return Select("IndexSelect", d, indices);
    }

    /// <summary>The slices named by a 1-D int64 index tensor along one dimension, as torch.index_select (a copy).</summary>
    /// <param name="dim">The dimension.</param>
    /// <param name="index">The indices, int64, 1-D.</param>
    /// <returns>The selected slices.</returns>
    public Tensor IndexSelect(int dim, Tensor index) => IndexSelect(dim, IndexList("IndexSelect", index, dim));

    private Tensor Select(string op, int d, int[] indices)
    {
        var (outer, size, inner) = Shapes.Split(Dims, d);
        var shape = (int[])Dims.Clone();
        shape[d] = indices.Length;
        var result = NewOutput(shape, _dtype);
        Array source = RawStorage, destination = result.RawStorage;
        for (var o = 0; o < outer; o++)
        {
            for (var j = 0; j < indices.Length; j++)
            {
                Array.Copy(source, ((o * size) + indices[j]) * inner, destination, ((o * indices.Length) + j) * inner, inner);
            }
        }

        if (NeedsGrad(this))
        {
            var input = this;
            result.Record(op, [input], g =>
            {
                var grad = input.GradAccumulator();
                for (var o = 0; o < outer; o++)
                {
                    for (var j = 0; j < indices.Length; j++)
                    {
                        var dst = grad.Slice(((o * size) + indices[j]) * inner, inner);
                        TensorPrimitives.Add(dst, g.AsSpan(((o * indices.Length) + j) * inner, inner), dst);
                    }
                }
            }, graph: (o, g, x) => [g.PutAddAt(SelectPositions(outer, size, inner, indices), x[0].Dims)]);
        }

        return result;
    }

    /// <summary>For each element of a selection of <paramref name="indices"/> along a dimension split as [outer, size, inner], its position in the source.</summary>
    private static int[] SelectPositions(int outer, int size, int inner, int[] indices)
    {
        var positions = new int[outer * indices.Length * inner];
        var k = 0;
        for (var o = 0; o < outer; o++)
        {
            foreach (var index in indices)
            {
                for (var i = 0; i < inner; i++)
                {
                    positions[k++] = (((o * size) + index) * inner) + i;
                }
            }
        }

        return positions;
    }

    /// <summary>
    /// One-hot rows for class indices, as torch.nn.functional.one_hot: [N] indices give [N, classes] with a 1 in
    /// each row's class column (float32, ready for a squared-error loss).
    /// </summary>
    /// <param name="indices">Class indices, int64, any shape; each in [0, classes).</param>
    /// <param name="classes">The number of classes.</param>
    /// <returns>The one-hot tensor, shaped [..indices, classes].</returns>
    public static Tensor OneHot(Tensor indices, int classes)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        RequireInt64("OneHot", indices, nameof(indices));
        var labels = indices.Storage<long>();
        var data = new float[indices.Numel * classes];
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label < 0 || label >= classes)
            {
                throw new ArgumentException($"OneHot: index {label} at position {i} of {Shapes.Format(indices.Dims)} is not a class index in [0, {classes}).", nameof(indices));
            }

            data[(i * classes) + (int)label] = 1f;
        }

        return new Tensor(data, [.. indices.Dims, classes]);
    }

    /// <summary>The values of a 1-D int64 index tensor, each checked to lie in [0, size of <paramref name="dim"/>); negative values count from the end.</summary>
    private int[] IndexList(string op, Tensor index, int dim)
    {
        ArgumentNullException.ThrowIfNull(index);
        RequireInt64(op, index, nameof(index));
        if (index.Rank > 1)
        {
            throw new ArgumentException($"{op}: the index must be 1-D, but it has shape {Shapes.Format(index.Dims)}.", nameof(index));
        }

        var size = Dims[Shapes.NormalizeDim(op, dim, Rank)];
        var values = index.Storage<long>();
        var list = new int[values.Length];
        for (var j = 0; j < values.Length; j++)
        {
            var v = values[j] < 0 ? values[j] + size : values[j];
            if (v < 0 || v >= size)
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"{op}: index {values[j]} at position {j} is out of range for dimension {dim} of size {size} (shape {Shapes.Format(Dims)}).");
            }

            list[j] = (int)v;
        }

        return list;
    }
}
