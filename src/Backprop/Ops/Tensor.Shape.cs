using Backprop.Autograd;
using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// The same elements with a new shape; one dimension may be −1 (inferred). Shares storage, except for a view
    /// whose strides cannot give the new shape (a column slice flattened), which is copied first, as PyTorch's
    /// reshape does.
    /// </summary>
    /// <param name="shape">The new shape.</param>
    /// <returns>The reshaped tensor.</returns>
    public Tensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var dims = InferShape("Reshape", shape);
        if (StridedLayout is { } layout && Strided.ViewStrides(Dims, layout.Strides, dims) is null)
        {
            return Clone().Reshape(dims);
        }

        var result = new Tensor(this, dims);
        if (NeedsGrad(this))
        {
            result.Record("Reshape", [this], NoState.Value, static (_, result, x, g) => x[0].DepositGrad(g, result.Dims, owned: result.GiveUpGrad(g)), graph: static (_, o, g, x) => [g.Reshape(x[0].Dims)]);
        }

        return result;
    }

    /// <summary>
    /// <see cref="Reshape"/> that never copies, as PyTorch's view: it throws for a strided view (a column slice, a
    /// slice with a step) whose strides cannot give the new shape.
    /// </summary>
    /// <param name="shape">The new shape.</param>
    /// <returns>The reshaped tensor, sharing this one's storage.</returns>
    public Tensor View(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var dims = InferShape("View", shape);
        if (StridedLayout is { } layout && Strided.ViewStrides(Dims, layout.Strides, dims) is null)
        {
            throw new InvalidOperationException($"View: the tensor of shape {Shapes.Format(Dims)} is a view with strides {Shapes.Format(layout.Strides)}, which cannot be viewed as {Shapes.Format(dims)} without a copy. Use Reshape (which copies here) or Contiguous() first.");
        }

        return Reshape(dims);
    }

    /// <summary>Merges dimensions <paramref name="startDim"/>..<paramref name="endDim"/> into one.</summary>
    /// <param name="startDim">The first dimension to merge.</param>
    /// <param name="endDim">The last dimension to merge.</param>
    /// <returns>The flattened tensor.</returns>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Rank == 0)
        {
            return Reshape(1);
        }

        var s = Shapes.NormalizeDim("Flatten", startDim, Rank);
        var e = Shapes.NormalizeDim("Flatten", endDim, Rank);
        if (s > e)
        {
            throw new ArgumentException($"Flatten: startDim {startDim} comes after endDim {endDim} for shape {Shapes.Format(Dims)}.", nameof(startDim));
        }

        // Dimensions before s, then the product of s..e, then those after e.
        var shape = new int[Rank - (e - s)];
        Dims.AsSpan(0, s).CopyTo(shape);
        Dims.AsSpan(e + 1).CopyTo(shape.AsSpan(s + 1));
        shape[s] = 1;
        for (var i = s; i <= e; i++)
        {
            shape[s] *= Dims[i];
        }

        return Reshape(shape);
    }

    /// <summary>Reorders the dimensions: result dimension i is this tensor's dimension dims[i].</summary>
    /// <param name="dims">A permutation of 0..Rank-1.</param>
    /// <returns>The permuted tensor (a copy).</returns>
    public Tensor Permute(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Length != Rank)
        {
            throw new ArgumentException($"Permute: {dims.Length} dimensions given for a tensor of shape {Shapes.Format(Dims)}.", nameof(dims));
        }

        var perm = new int[Rank];
        var seen = new bool[Rank];
        for (var i = 0; i < Rank; i++)
        {
            perm[i] = Shapes.NormalizeDim("Permute", dims[i], Rank);
            if (seen[perm[i]])
            {
                throw new ArgumentException($"Permute: dimension {dims[i]} appears twice in [{string.Join(',', dims)}].", nameof(dims));
            }

            seen[perm[i]] = true;
        }

        var outShape = new int[Rank];
        var inverse = new int[Rank];
        for (var i = 0; i < Rank; i++)
        {
            outShape[i] = Dims[perm[i]];
            inverse[perm[i]] = i;
        }

        var result = NewOutput(outShape, _dtype);
        Kernels.Permute.Apply(RawStorage, Dims, perm, result.RawStorage);
        if (NeedsGrad(this))
        {
            result.Record("Permute", [this], inverse, static (inverse, result, x, g) =>
            {
                var d = RentGradArray(g.Length);
                Kernels.Permute.Apply<float>(g, result.Dims, inverse, d);
                x[0].DepositGrad(d, x[0].Dims, owned: true);
            }, graph: static (inverse, o, g, x) => [g.Permute(inverse)]);
        }

        return result;
    }

    /// <summary>Swaps two dimensions.</summary>
    /// <param name="dim0">One dimension.</param>
    /// <param name="dim1">The other.</param>
    /// <returns>The transposed tensor (a copy).</returns>
    public Tensor Transpose(int dim0, int dim1)
    {
        var a = Shapes.NormalizeDim("Transpose", dim0, Rank);
        var b = Shapes.NormalizeDim("Transpose", dim1, Rank);
        var perm = new int[Rank];
        for (var i = 0; i < Rank; i++)
        {
            perm[i] = i;
        }

        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(perm);
    }

    /// <summary>The transpose of a matrix (a 2-D tensor).</summary>
    public Tensor T => Rank == 2
        ? Transpose(0, 1)
        : throw new InvalidOperationException($"T: the tensor has shape {Shapes.Format(Dims)}; only a 2-D tensor has T. Use Transpose or Permute.");

    /// <summary>Removes every dimension of size 1.</summary>
    /// <returns>The squeezed tensor (shares storage).</returns>
    public Tensor Squeeze()
    {
        var shape = new List<int>();
        foreach (var d in Dims)
        {
            if (d != 1)
            {
                shape.Add(d);
            }
        }

        return Reshape([.. shape]);
    }

    /// <summary>Removes one dimension if its size is 1.</summary>
    /// <param name="dim">The dimension.</param>
    /// <returns>The squeezed tensor (shares storage).</returns>
    public Tensor Squeeze(int dim)
    {
        var d = Shapes.NormalizeDim("Squeeze", dim, Rank);
        if (Dims[d] != 1)
        {
            return Reshape(Dims);
        }

        var shape = new List<int>(Dims);
        shape.RemoveAt(d);
        return Reshape([.. shape]);
    }

    /// <summary>Inserts a dimension of size 1 at <paramref name="dim"/>.</summary>
    /// <param name="dim">The position, 0..Rank; negative counts from the end.</param>
    /// <returns>The unsqueezed tensor (shares storage).</returns>
    public Tensor Unsqueeze(int dim)
    {
        var d = Shapes.NormalizeDim("Unsqueeze", dim, Rank + 1);
        var shape = new List<int>(Dims);
        shape.Insert(d, 1);
        return Reshape([.. shape]);
    }

    private int[] InferShape(string op, int[] shape)
    {
        var dims = (int[])shape.Clone();
        var infer = -1;
        long known = 1;
        for (var i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1 && infer < 0)
            {
                infer = i;
            }
            else if (dims[i] < 0)
            {
                throw new ArgumentException($"{op}: {Shapes.Format(Dims)} to {Shapes.Format(shape)}: only one dimension may be -1 and none may be negative.", nameof(shape));
            }
            else
            {
                known *= dims[i];
            }
        }

        if (infer >= 0)
        {
            if (known == 0 || Numel % known != 0)
            {
                throw new ArgumentException($"{op}: cannot infer the -1 in {Shapes.Format(shape)} for {Numel} elements (shape {Shapes.Format(Dims)}).", nameof(shape));
            }

            dims[infer] = (int)(Numel / known);
        }
        else if (known != Numel)
        {
            throw new ArgumentException($"{op}: {Shapes.Format(Dims)} has {Numel} elements, {Shapes.Format(shape)} would need {known}.", nameof(shape));
        }

        return dims;
    }

    /// <summary>Splits along one dimension into pieces of <paramref name="size"/> (the last may be smaller), as torch.split.</summary>
    /// <param name="size">The size of each piece; positive.</param>
    /// <param name="dim">The dimension.</param>
    /// <returns>The pieces, each a differentiable slice.</returns>
    public Tensor[] Split(int size, int dim = 0)
    {
        var d = Shapes.NormalizeDim("Split", dim, Rank);
        if (size <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"Split: the piece size must be positive (shape {Shapes.Format(Dims)}).");
        }

        var pieces = new Tensor[Math.Max(1, (Dims[d] + size - 1) / size)];
        for (var i = 0; i < pieces.Length; i++)
        {
            pieces[i] = Narrow(d, i * size, Math.Min(size, Dims[d] - (i * size)));
        }

        return pieces;
    }

    /// <summary>Splits along one dimension into pieces of the given sizes, which must add up to the dimension's size.</summary>
    /// <param name="sizes">The sizes of the pieces.</param>
    /// <param name="dim">The dimension.</param>
    /// <returns>The pieces.</returns>
    public Tensor[] Split(int[] sizes, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var d = Shapes.NormalizeDim("Split", dim, Rank);
        if (sizes.Any(s => s < 0) || sizes.Sum() != Dims[d])
        {
            throw new ArgumentException($"Split: sizes [{string.Join(", ", sizes)}] must be non-negative and add up to {Dims[d]}, the size of dimension {dim} of {Shapes.Format(Dims)}.", nameof(sizes));
        }

        var pieces = new Tensor[sizes.Length];
        for (int i = 0, start = 0; i < sizes.Length; start += sizes[i], i++)
        {
            pieces[i] = Narrow(d, start, sizes[i]);
        }

        return pieces;
    }

    /// <summary>Splits along one dimension into <paramref name="chunks"/> pieces of equal size (the last may be smaller, and there may be fewer), as torch.chunk.</summary>
    /// <param name="chunks">How many pieces; positive.</param>
    /// <param name="dim">The dimension.</param>
    /// <returns>The pieces.</returns>
    public Tensor[] Chunk(int chunks, int dim = 0)
    {
        var d = Shapes.NormalizeDim("Chunk", dim, Rank);
        if (chunks <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(chunks), chunks, $"Chunk: the number of chunks must be positive (shape {Shapes.Format(Dims)}).");
        }

        return Split(Math.Max(1, (Dims[d] + chunks - 1) / chunks), d);
    }

    /// <summary>The lower triangle of the last two dimensions: elements with column − row ≤ <paramref name="diagonal"/> kept, the rest zero.</summary>
    /// <param name="diagonal">0 keeps the main diagonal; positive keeps diagonals above it, negative drops some below.</param>
    /// <returns>The masked tensor.</returns>
    public Tensor Tril(int diagonal = 0) => Triangle("Tril", diagonal, lower: true);

    /// <summary>The upper triangle of the last two dimensions: elements with column − row ≥ <paramref name="diagonal"/> kept, the rest zero.</summary>
    /// <param name="diagonal">0 keeps the main diagonal; positive drops diagonals above it, negative keeps some below.</param>
    /// <returns>The masked tensor.</returns>
    public Tensor Triu(int diagonal = 0) => Triangle("Triu", diagonal, lower: false);

    private Tensor Triangle(string op, int diagonal, bool lower)
    {
        if (Rank < 2)
        {
            throw new ArgumentException($"{op}: the tensor of shape {Shapes.Format(Dims)} needs at least two dimensions.");
        }

        int rows = Dims[^2], cols = Dims[^1];
        var mask = new bool[rows * cols];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                mask[(r * cols) + c] = lower ? c - r <= diagonal : c - r >= diagonal;
            }
        }

        return Where(Wrap(mask, [rows, cols]), this, Full(0, [], _dtype));
    }
}
