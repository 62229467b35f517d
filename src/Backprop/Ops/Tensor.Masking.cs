using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// Elementwise condition ? a : b with broadcasting, as torch.where. Differentiable in a and b: each receives
    /// the gradient where it was chosen (summed over the dimensions it was broadcast along).
    /// </summary>
    /// <param name="condition">A bool tensor.</param>
    /// <param name="a">The values where the condition holds.</param>
    /// <param name="b">The values elsewhere, of a's dtype.</param>
    /// <returns>The selected values, in the broadcast shape of all three.</returns>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        condition.RequireBool("Where");
        if (a._dtype != b._dtype)
        {
            throw new ArgumentException($"Where: the values are {a._dtype.Name()} {Shapes.Format(a.Dims)} and {b._dtype.Name()} {Shapes.Format(b.Dims)}; convert them to one dtype first.", nameof(b));
        }

        var shape = Shapes.Broadcast("Where", Shapes.Broadcast("Where", condition.Dims, a.Dims), b.Dims);
        var result = NewOutput(shape, a._dtype);
        var mask = condition.Storage<bool>();
        Compare.Select(mask, condition.Dims, a.RawStorage, a.Dims, b.RawStorage, b.Dims, result.RawStorage, shape);
        if (NeedsGrad(a, b))
        {
            result.Record("Where", [a, b], g =>
            {
                var zero = Wrap(new float[1], []);
                var gradient = Wrap(g, shape);
                if (a.RequiresGrad)
                {
                    a.DepositGrad(Masked(mask, condition.Dims, gradient, zero, shape), shape, owned: true);
                }

                if (b.RequiresGrad)
                {
                    b.DepositGrad(Masked(mask, condition.Dims, zero, gradient, shape), shape, owned: true);
                }
            }, [condition], graph: (o, g, x) =>
            [
                x[0].RequiresGrad ? Where(condition, g, 0.0).SumTo(x[0].Dims) : null,
                x[1].RequiresGrad ? Where(condition, 0.0, g).SumTo(x[1].Dims) : null,
            ]);
        }

        return result;
    }

    /// <summary>condition ? a : value, with value in a's dtype (torch.where with a scalar).</summary>
    /// <param name="condition">A bool tensor.</param>
    /// <param name="a">The values where the condition holds.</param>
    /// <param name="value">The value elsewhere.</param>
    /// <returns>The selected values.</returns>
    public static Tensor Where(Tensor condition, Tensor a, double value)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Where(condition, a, Full(value, [], a._dtype));
    }

    /// <summary>condition ? value : b, with value in b's dtype (torch.where with a scalar).</summary>
    /// <param name="condition">A bool tensor.</param>
    /// <param name="value">The value where the condition holds.</param>
    /// <param name="b">The values elsewhere.</param>
    /// <returns>The selected values.</returns>
    public static Tensor Where(Tensor condition, double value, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return Where(condition, Full(value, [], b._dtype), b);
    }

    /// <summary>
    /// This tensor with <paramref name="value"/> wherever <paramref name="mask"/> (broadcast to this shape) is
    /// true, as torch.masked_fill: the attention mask's -inf. The gradient passes where the mask is false.
    /// </summary>
    /// <param name="mask">A bool tensor that broadcasts to this tensor's shape.</param>
    /// <param name="value">The fill value.</param>
    /// <returns>The new tensor, of this tensor's shape.</returns>
    public Tensor MaskedFill(Tensor mask, double value)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var shape = Shapes.Broadcast("MaskedFill", mask.Dims, Dims);
        if (!shape.AsSpan().SequenceEqual(Dims))
        {
            throw new ArgumentException($"MaskedFill: the mask {Shapes.Format(mask.Dims)} must broadcast to the tensor's shape {Shapes.Format(Dims)}.", nameof(mask));
        }

        return Where(mask, Full(value, [], _dtype), this);
    }

    /// <summary>
    /// The elements where <paramref name="mask"/> (broadcast to this shape) is true, in row-major order, as a
    /// 1-D tensor (torch.masked_select, and t[mask]). The gradient goes back to the selected places.
    /// </summary>
    /// <param name="mask">A bool tensor that broadcasts to this tensor's shape.</param>
    /// <returns>The selected elements.</returns>
    public Tensor MaskedSelect(Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        mask.RequireBool("MaskedSelect");
        var shape = Shapes.Broadcast("MaskedSelect", mask.Dims, Dims);
        if (!shape.AsSpan().SequenceEqual(Dims))
        {
            throw new ArgumentException($"MaskedSelect: the mask {Shapes.Format(mask.Dims)} must broadcast to the tensor's shape {Shapes.Format(Dims)}.", nameof(mask));
        }

        var positions = Compare.TruePositions(mask.Storage<bool>(), mask.Dims, Dims);
        var result = NewOutput([positions.Length], _dtype);
        Take.Gather(RawStorage, positions, result.RawStorage);
        if (NeedsGrad(this))
        {
            var input = this;
            result.Record("MaskedSelect", [input], g => Take.ScatterAdd(g, positions, input.GradAccumulator()), graph: (o, g, x) => [g.PutAddAt(positions, x[0].Dims)]);
        }

        return result;
    }

    /// <summary>
    /// Indexing by a tensor, as PyTorch's t[mask] and t[indices]: a bool mask selects elements (<see cref="MaskedSelect"/>);
    /// an int64 tensor picks slices along dimension 0, giving shape index.Shape + this.Shape[1..].
    /// </summary>
    /// <param name="index">A bool mask or int64 indices.</param>
    /// <returns>The selected elements or slices.</returns>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public Tensor this[Tensor index]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(index);
            if (index._dtype == DType.Bool)
            {
                return MaskedSelect(index);
            }

            if (Rank == 0)
            {
                throw new ArgumentException($"Indexer: a 0-d tensor cannot be indexed by a tensor.", nameof(index));
            }

            return IndexSelect(0, index.Reshape(index.Numel)).Reshape([.. index.Dims, .. Dims.AsSpan(1)]);
        }
    }

    /// <summary>g where the mask holds and the other operand elsewhere, in a pooled array: one side of Where's gradient.</summary>
    private static float[] Masked(bool[] mask, int[] maskShape, Tensor whereTrue, Tensor whereFalse, int[] shape)
    {
        var d = RentGradArray(Shapes.Numel(shape));
        Compare.Select(mask, maskShape, whereTrue.Data, whereTrue.Dims, whereFalse.Data, whereFalse.Dims, d, shape);
        return d;
    }
}
