using System.Numerics.Tensors;
using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// Picks along <paramref name="dim"/> the element named by <paramref name="index"/>, as torch.gather:
    /// result[..., j, ...] = this[..., index[..., j, ...], ...]. The index has this tensor's rank and is no
    /// larger in any other dimension. Picks each row's class score: logits.Gather(1, labels.Unsqueeze(1)).
    /// </summary>
    /// <param name="dim">The dimension to pick along.</param>
    /// <param name="index">The indices, int64.</param>
    /// <returns>A tensor shaped like <paramref name="index"/>, of this tensor's dtype.</returns>
    public Tensor Gather(int dim, Tensor index)
    {
        var positions = IndexPositions("Gather", dim, index);
        var result = NewOutput((int[])index.Dims.Clone(), _dtype);
        Take.Gather(RawStorage, positions, result.RawStorage);
        if (NeedsGrad(this))
        {
            var input = this;
            result.Record("Gather", [input], g => Take.ScatterAdd(g, positions, input.GradAccumulator()), graph: (o, g, x) => [g.PutAddAt(positions, x[0].Dims)]);
        }

        return result;
    }

    /// <summary>
    /// A copy of this tensor with the elements of <paramref name="source"/> written where <paramref name="index"/>
    /// points along <paramref name="dim"/>, as torch.scatter: result[..., index[..., j, ...], ...] = source[..., j, ...].
    /// Where an index repeats the last write wins. The gradient reaches this tensor where nothing was written,
    /// and each source element from the place it was written to.
    /// </summary>
    /// <param name="dim">The dimension to write along.</param>
    /// <param name="index">The positions, int64, this tensor's rank, no larger than it outside <paramref name="dim"/>.</param>
    /// <param name="source">The values, at least as large as the index in every dimension, of this tensor's dtype.</param>
    /// <returns>The new tensor.</returns>
    public Tensor Scatter(int dim, Tensor index, Tensor source) => ScatterCore("Scatter", dim, index, source, add: false);

    /// <summary>A copy of this tensor with <paramref name="value"/> written where <paramref name="index"/> points along <paramref name="dim"/> (torch.scatter with a value).</summary>
    /// <param name="dim">The dimension to write along.</param>
    /// <param name="index">The positions, int64.</param>
    /// <param name="value">The value, converted to this tensor's dtype.</param>
    /// <returns>The new tensor.</returns>
    public Tensor Scatter(int dim, Tensor index, double value)
    {
        ArgumentNullException.ThrowIfNull(index);
        return ScatterCore("Scatter", dim, index, Full(value, index.Dims, _dtype), add: false);
    }

    /// <summary>
    /// A copy of this tensor with the elements of <paramref name="source"/> added where <paramref name="index"/>
    /// points along <paramref name="dim"/>, as torch.scatter_add; repeated indices sum. Float32 or float64.
    /// </summary>
    /// <param name="dim">The dimension to add along.</param>
    /// <param name="index">The positions, int64.</param>
    /// <param name="source">The values to add.</param>
    /// <returns>The new tensor.</returns>
    public Tensor ScatterAdd(int dim, Tensor index, Tensor source) => ScatterCore("ScatterAdd", dim, index, source, add: true);

    /// <summary>
    /// A copy of this tensor with slice j of <paramref name="source"/> along <paramref name="dim"/> added to
    /// slice index[j], as torch.index_add; repeated indices sum. Float32 or float64.
    /// </summary>
    /// <param name="dim">The dimension.</param>
    /// <param name="index">The slices to add to, int64, 1-D, as long as source's <paramref name="dim"/>.</param>
    /// <param name="source">This tensor's shape except along <paramref name="dim"/>.</param>
    /// <returns>The new tensor.</returns>
    public Tensor IndexAdd(int dim, Tensor index, Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        IsFloat64("IndexAdd", this, source);
        var d = Shapes.NormalizeDim("IndexAdd", dim, Rank);
        var slots = IndexList("IndexAdd", index, d);
        var compatible = source.Rank == Rank && source.Dims[d] == slots.Length;
        for (var i = 0; compatible && i < Rank; i++)
        {
            compatible = i == d || source.Dims[i] == Dims[i];
        }

        if (!compatible)
        {
            throw new ArgumentException($"IndexAdd: source {Shapes.Format(source.Dims)} must be {Shapes.Format(Dims)} with dimension {dim} of size {slots.Length} (the index's length).", nameof(source));
        }

        var (outer, size, inner) = Shapes.Split(Dims, d);
        var positions = new int[source.Numel];
        for (int o = 0, k = 0; o < outer; o++)
        {
            for (var j = 0; j < slots.Length; j++)
            {
                for (var i = 0; i < inner; i++)
                {
                    positions[k++] = (((o * size) + slots[j]) * inner) + i;
                }
            }
        }

        return AddAtPositions("IndexAdd", source, positions);
    }

    private Tensor ScatterCore(string op, int dim, Tensor index, Tensor source, bool add)
    {
        ArgumentNullException.ThrowIfNull(source);
        var positions = IndexPositions(op, dim, index);
        if (source._dtype != _dtype || source.Rank != Rank || !FitsWithin(index.Dims, source.Dims))
        {
            throw new ArgumentException($"{op}: source {source._dtype.Name()} {Shapes.Format(source.Dims)} must be {_dtype.Name()} and at least the index's shape {Shapes.Format(index.Dims)} in every dimension.", nameof(source));
        }

        // The source elements the index covers, in the index's row-major order.
        var sourcePositions = CoveredPositions(index.Dims, source.Dims);
        if (add)
        {
            IsFloat64(op, this, source);
            return AddAtPositions(op, source, positions, sourcePositions);
        }

        if (_dtype == DType.Float64)
        {
            return ScatterComposed(op, this, source, positions, sourcePositions);
        }

        var result = NewOutput(Dims, _dtype);
        Array.Copy(RawStorage, result.RawStorage, Numel);
        var picked = NewOutput(index.Dims, _dtype);
        Take.Gather(source.RawStorage, sourcePositions, picked.RawStorage);
        Take.Scatter(picked.RawStorage, positions, result.RawStorage);
        if (NeedsGrad(this, source))
        {
            var input = this;
            result.Record(op, [input, source], g =>
            {
                if (input.RequiresGrad)
                {
                    var d = RentGradArray(g.Length);
                    g.AsSpan().CopyTo(d);
                    foreach (var p in positions)
                    {
                        d[p] = 0f;
                    }

                    input.DepositGrad(d, input.Dims, owned: true);
                }

                if (source.RequiresGrad)
                {
                    // Where an index repeats, only the write that won receives the gradient.
                    var winner = new Dictionary<int, int>(positions.Length);
                    for (var k = 0; k < positions.Length; k++)
                    {
                        winner[positions[k]] = k;
                    }

                    var grad = source.GradAccumulator();
                    for (var k = 0; k < positions.Length; k++)
                    {
                        if (winner[positions[k]] == k)
                        {
                            grad[sourcePositions[k]] += g[positions[k]];
                        }
                    }
                }
            }, graph: Recomputed(x => ScatterComposed(op, x[0], x[1], positions, sourcePositions)));
        }

        return result;
    }

    /// <summary>
    /// <see cref="Scatter(int, Tensor, Tensor)"/> as tensor ops: the source elements that win their position (the
    /// last write, where an index repeats) put there, and the target kept elsewhere.
    /// </summary>
    private static Tensor ScatterComposed(string op, Tensor target, Tensor source, int[] positions, int[] sourcePositions)
    {
        var last = new Dictionary<int, int>(positions.Length);
        for (var k = 0; k < positions.Length; k++)
        {
            last[positions[k]] = k;
        }

        var winners = last.Values.Order().ToArray();
        var written = new bool[target.Numel];
        var at = new int[winners.Length];
        var from = new int[winners.Length];
        for (var i = 0; i < winners.Length; i++)
        {
            at[i] = positions[winners[i]];
            from[i] = sourcePositions[winners[i]];
            written[at[i]] = true;
        }

        var scattered = source.TakeAt(op, from, [from.Length]).PutAddAt(at, target.Dims);
        return Where(FromArray(written, target.Dims), scattered, target);
    }

    /// <summary>
    /// <see cref="AddAtPositions"/> as tensor ops: the target plus the source elements (sourcePositions[k], or k) put
    /// at positions[k].
    /// </summary>
    private static Tensor AddAtComposed(string op, Tensor target, Tensor source, int[] positions, int[]? sourcePositions)
    {
        var values = sourcePositions is null ? source : source.TakeAt(op, sourcePositions, [sourcePositions.Length]);
        return target + values.PutAddAt(positions, target.Dims);
    }

    /// <summary>A copy of this tensor plus source element sourcePositions[k] (or k) at positions[k]; the backward of both is a gather.</summary>
    private Tensor AddAtPositions(string op, Tensor source, int[] positions, int[]? sourcePositions = null)
    {
        if (_dtype == DType.Float64)
        {
            return AddAtComposed(op, this, source, positions, sourcePositions);
        }

        var result = NewOutput(Dims);
        var sums = result.Data;
        Data.AsSpan().CopyTo(sums);
        var values = source.Data;
        for (var k = 0; k < positions.Length; k++)
        {
            sums[positions[k]] += values[sourcePositions is null ? k : sourcePositions[k]];
        }

        if (NeedsGrad(this, source))
        {
            var input = this;
            result.Record(op, [input, source], g =>
            {
                if (input.RequiresGrad)
                {
                    var grad = input.GradAccumulator();
                    TensorPrimitives.Add(grad, g, grad);
                }

                if (source.RequiresGrad)
                {
                    var grad = source.GradAccumulator();
                    for (var k = 0; k < positions.Length; k++)
                    {
                        grad[sourcePositions is null ? k : sourcePositions[k]] += g[positions[k]];
                    }
                }
            }, graph: Recomputed(x => AddAtComposed(op, x[0], x[1], positions, sourcePositions)));
        }

        return result;
    }

    /// <summary>
    /// The flat positions in this tensor that an int64 index names along <paramref name="dim"/>: for index
    /// element k at coordinates (c0, …, cd, …), the position of (c0, …, index[k], …). Checks the dtype, the
    /// rank, that the index is no larger than this tensor outside dim, and every value's range.
    /// </summary>
    private int[] IndexPositions(string op, int dim, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        RequireInt64(op, index, nameof(index));
        var d = Shapes.NormalizeDim(op, dim, Rank);
        var fits = index.Rank == Rank;
        for (var i = 0; fits && i < Rank; i++)
        {
            fits = i == d || index.Dims[i] <= Dims[i];
        }

        if (!fits)
        {
            throw new ArgumentException($"{op}: index shape {Shapes.Format(index.Dims)} must have the rank of {Shapes.Format(Dims)} and be no larger outside dimension {dim}.", nameof(index));
        }

        var strides = Shapes.Strides(Dims);
        var values = index.Storage<long>();
        var positions = new int[values.Length];
        var coordinates = new int[Rank];
        for (var k = 0; k < values.Length; k++)
        {
            var v = values[k];
            if (v < 0 || v >= Dims[d])
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"{op}: index value {v} at position {k} is out of range [0, {Dims[d]}) for dimension {dim} of shape {Shapes.Format(Dims)}.");
            }

            var p = 0;
            for (var i = 0; i < Rank; i++)
            {
                p += (i == d ? (int)v : coordinates[i]) * strides[i];
            }

            positions[k] = p;
            Shapes.Increment(coordinates, index.Dims);
        }

        return positions;
    }

    /// <summary>The flat positions in a tensor of shape <paramref name="outer"/> of the elements of the sub-block <paramref name="inner"/> at its origin, row-major.</summary>
    private static int[] CoveredPositions(int[] inner, int[] outer)
    {
        var strides = Shapes.Strides(outer);
        var positions = new int[Shapes.Numel(inner)];
        var coordinates = new int[inner.Length];
        for (var k = 0; k < positions.Length; k++)
        {
            var p = 0;
            for (var i = 0; i < inner.Length; i++)
            {
                p += coordinates[i] * strides[i];
            }

            positions[k] = p;
            Shapes.Increment(coordinates, inner);
        }

        return positions;
    }

    private static bool FitsWithin(int[] inner, int[] outer)
    {
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] > outer[i])
            {
                return false;
            }
        }

        return true;
    }
}
