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

            shape[d] += t.Dims[d];
            needsGrad |= NeedsGrad(t);
        }

        var (outer, total, inner) = Shapes.Split(shape, d);
        var result = NewOutput(shape);
        var offset = 0;
        foreach (var t in tensors)
        {
            var block = t.Dims[d] * inner;
            for (var o = 0; o < outer; o++)
            {
                t.Data.AsSpan(o * block, block).CopyTo(result.Data.AsSpan((o * total * inner) + offset, block));
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
                        var grad = t.GradAccumulator(out _);
                        for (var o = 0; o < outer; o++)
                        {
                            var dst = grad.Slice(o * block, block);
                            TensorPrimitives.Add(dst, g.AsSpan((o * total * inner) + start, block), dst);
                        }
                    }

                    start += block;
                }
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

    /// <summary>The slice start..start+length-1 of one dimension (a copy).</summary>
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

        var indices = new int[length];
        for (var i = 0; i < length; i++)
        {
            indices[i] = start + i;
        }

        return Select("Narrow", d, indices);
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

    /// <summary>
    /// Picks along <paramref name="dim"/> the element named by <paramref name="index"/> (integral values):
    /// result[..., j, ...] = this[..., index[..., j, ...], ...]. The index has this tensor's shape except
    /// along <paramref name="dim"/>. Used to pick each row's class score: logits.Gather(1, labels.Unsqueeze(1)).
    /// </summary>
    /// <param name="dim">The dimension to pick along.</param>
    /// <param name="index">The indices, stored as float values.</param>
    /// <returns>A tensor shaped like <paramref name="index"/>.</returns>
    public Tensor Gather(int dim, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        var d = Shapes.NormalizeDim("Gather", dim, Rank);
        var compatible = index.Rank == Rank;
        for (var i = 0; compatible && i < Rank; i++)
        {
            compatible = i == d || index.Dims[i] == Dims[i];
        }

        if (!compatible)
        {
            throw new ArgumentException($"Gather: index shape {Shapes.Format(index.Dims)} must match input shape {Shapes.Format(Dims)} outside dimension {dim}.", nameof(index));
        }

        var (_, size, inner) = Shapes.Split(Dims, d);
        var picks = index.Dims[d];
        var positions = new int[index.Numel];
        for (var k = 0; k < positions.Length; k++)
        {
            var v = index.Data[k];
            if (v != MathF.Floor(v) || v < 0 || v >= size)
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"Gather: index value {v} at position {k} is not an integer in [0, {size}) for dimension {dim} of shape {Shapes.Format(Dims)}.");
            }

            var o = k / (picks * inner);
            var i = k % inner;
            positions[k] = (((o * size) + (int)v) * inner) + i;
        }

        var result = NewOutput((int[])index.Dims.Clone());
        for (var k = 0; k < positions.Length; k++)
        {
            result.Data[k] = Data[positions[k]];
        }

        if (NeedsGrad(this))
        {
            var input = this;
            result.Record("Gather", [input], g =>
            {
                var grad = input.GradAccumulator(out _);
                for (var k = 0; k < positions.Length; k++)
                {
                    grad[positions[k]] += g[k];
                }
            });
        }

        return result;
    }

    private Tensor Select(string op, int d, int[] indices)
    {
        var (outer, size, inner) = Shapes.Split(Dims, d);
        var shape = (int[])Dims.Clone();
        shape[d] = indices.Length;
        var result = NewOutput(shape);
        for (var o = 0; o < outer; o++)
        {
            for (var j = 0; j < indices.Length; j++)
            {
                Data.AsSpan(((o * size) + indices[j]) * inner, inner).CopyTo(result.Data.AsSpan(((o * indices.Length) + j) * inner, inner));
            }
        }

        if (NeedsGrad(this))
        {
            var input = this;
            result.Record(op, [input], g =>
            {
                var grad = input.GradAccumulator(out _);
                for (var o = 0; o < outer; o++)
                {
                    for (var j = 0; j < indices.Length; j++)
                    {
                        var dst = grad.Slice(((o * size) + indices[j]) * inner, inner);
                        TensorPrimitives.Add(dst, g.AsSpan(((o * indices.Length) + j) * inner, inner), dst);
                    }
                }
            });
        }

        return result;
    }

    /// <summary>
    /// One-hot rows for class indices, as torch.nn.functional.one_hot: [N] indices give [N, classes] with a 1 in
    /// each row's class column. The indices are float values until tensors carry an integer type.
    /// </summary>
    /// <param name="indices">Class indices, any shape; each a whole number in [0, classes).</param>
    /// <param name="classes">The number of classes.</param>
    /// <returns>The one-hot tensor, shaped [..indices, classes].</returns>
    public static Tensor OneHot(Tensor indices, int classes)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        var data = new float[indices.Numel * classes];
        for (var i = 0; i < indices.Numel; i++)
        {
            var label = indices.Data[i];
            if (!(label >= 0 && label < classes) || label != MathF.Floor(label))
            {
                throw new ArgumentException($"OneHot: index {label} at position {i} of {Shapes.Format(indices.Dims)} is not a class index in [0, {classes}).", nameof(indices));
            }

            data[(i * classes) + (int)label] = 1f;
        }

        return new Tensor(data, [.. indices.Dims, classes]);
    }
}
