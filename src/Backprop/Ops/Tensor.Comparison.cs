using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>Elementwise a == b with broadcasting, as a bool tensor (torch.eq). Operands of different dtypes are compared in the wider one.</summary>
    /// <param name="other">The other operand.</param>
    /// <returns>The bool tensor.</returns>
    public Tensor Eq(Tensor other) => CompareWith("Eq", other, Comparison.Eq);

    /// <summary>Elementwise a != b with broadcasting, as a bool tensor (torch.ne).</summary>
    /// <param name="other">The other operand.</param>
    /// <returns>The bool tensor.</returns>
    public Tensor Ne(Tensor other) => CompareWith("Ne", other, Comparison.Ne);

    /// <summary>Elementwise a &lt; b with broadcasting, as a bool tensor (torch.lt).</summary>
    /// <param name="other">The other operand.</param>
    /// <returns>The bool tensor.</returns>
    public Tensor Lt(Tensor other) => CompareWith("Lt", other, Comparison.Lt);

    /// <summary>Elementwise a &lt;= b with broadcasting, as a bool tensor (torch.le).</summary>
    /// <param name="other">The other operand.</param>
    /// <returns>The bool tensor.</returns>
    public Tensor Le(Tensor other) => CompareWith("Le", other, Comparison.Le);

    /// <summary>Elementwise a &gt; b with broadcasting, as a bool tensor (torch.gt).</summary>
    /// <param name="other">The other operand.</param>
    /// <returns>The bool tensor.</returns>
    public Tensor Gt(Tensor other) => CompareWith("Gt", other, Comparison.Gt);

    /// <summary>Elementwise a &gt;= b with broadcasting, as a bool tensor (torch.ge).</summary>
    /// <param name="other">The other operand.</param>
    /// <returns>The bool tensor.</returns>
    public Tensor Ge(Tensor other) => CompareWith("Ge", other, Comparison.Ge);

    /// <summary>Elementwise a == value, as a bool tensor.</summary>
    /// <param name="value">The value, in this tensor's dtype when it is floating point.</param>
    /// <returns>The bool tensor.</returns>
    public Tensor Eq(double value) => CompareWith("Eq", ScalarLike(value), Comparison.Eq);

    /// <summary>Elementwise a != value, as a bool tensor.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The bool tensor.</returns>
    public Tensor Ne(double value) => CompareWith("Ne", ScalarLike(value), Comparison.Ne);

    /// <summary>Elementwise a &lt; value, as a bool tensor.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The bool tensor.</returns>
    public Tensor Lt(double value) => CompareWith("Lt", ScalarLike(value), Comparison.Lt);

    /// <summary>Elementwise a &lt;= value, as a bool tensor.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The bool tensor.</returns>
    public Tensor Le(double value) => CompareWith("Le", ScalarLike(value), Comparison.Le);

    /// <summary>Elementwise a &gt; value, as a bool tensor.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The bool tensor.</returns>
    public Tensor Gt(double value) => CompareWith("Gt", ScalarLike(value), Comparison.Gt);

    /// <summary>Elementwise a &gt;= value, as a bool tensor.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The bool tensor.</returns>
    public Tensor Ge(double value) => CompareWith("Ge", ScalarLike(value), Comparison.Ge);

    /// <summary>Elementwise logical and of two bool tensors, with broadcasting.</summary>
    /// <param name="other">The other bool tensor.</param>
    /// <returns>The bool tensor.</returns>
    public Tensor LogicalAnd(Tensor other) => Where(RequireBool("LogicalAnd"), other.RequireBool("LogicalAnd"), Full(0, [], DType.Bool));

    /// <summary>Elementwise logical or of two bool tensors, with broadcasting.</summary>
    /// <param name="other">The other bool tensor.</param>
    /// <returns>The bool tensor.</returns>
    public Tensor LogicalOr(Tensor other) => Where(RequireBool("LogicalOr"), Full(1, [], DType.Bool), other.RequireBool("LogicalOr"));

    /// <summary>Elementwise logical not of a bool tensor.</summary>
    /// <returns>The bool tensor.</returns>
    public Tensor LogicalNot() => RequireBool("LogicalNot").Eq(0);

    /// <summary>True when both tensors have the same shape, dtype and elements (torch.equal).</summary>
    /// <param name="other">The other tensor.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equal(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._dtype != _dtype || !other.Dims.AsSpan().SequenceEqual(Dims))
        {
            return false;
        }

        return RawStorage switch
        {
            float[] f => f.AsSpan().SequenceEqual(other.Storage<float>()),
            double[] d => d.AsSpan().SequenceEqual(other.Storage<double>()),
            long[] l => l.AsSpan().SequenceEqual(other.Storage<long>()),
            _ => Storage<bool>().AsSpan().SequenceEqual(other.Storage<bool>()),
        };
    }

    /// <summary>The dtype two operands are computed in: the wider float, else Int64 (bools compare as 0 and 1).</summary>
    internal static DType Promote(DType a, DType b) =>
        a == DType.Float64 || b == DType.Float64 ? DType.Float64
        : a == DType.Float32 || b == DType.Float32 ? DType.Float32
        : DType.Int64;

    /// <summary>A 0-d tensor holding <paramref name="value"/> in the dtype PyTorch would pick beside this tensor: its own for floats, Int64 for a whole number beside integers, else Float32.</summary>
    private Tensor ScalarLike(double value) =>
        _dtype.IsFloatingPoint() ? Full(value, [], _dtype)
        : value == Math.Floor(value) && Math.Abs(value) < 9e18 ? Full(value, [], DType.Int64)
        : Full(value, [], DType.Float32);

    private Tensor RequireBool(string op) => _dtype == DType.Bool
        ? this
        : throw new ArgumentException($"{op}: the {_dtype.Name()} tensor of shape {Shapes.Format(Dims)} is not bool; compare it first (Ne(0)) or convert it with Bool().");

    private Tensor CompareWith(string op, Tensor other, Comparison comparison)
    {
        ArgumentNullException.ThrowIfNull(other);
        var shape = Shapes.Broadcast(op, Dims, other.Dims);
        var common = Promote(_dtype, other._dtype);
        Tensor a = Operand(common), b = other.Operand(common);
        var result = NewOutput<bool>(shape);
        var d = result.Storage<bool>();
        switch (common)
        {
            case DType.Float32: Compare.Apply(a.Storage<float>(), a.Dims, b.Storage<float>(), b.Dims, d, shape, comparison); break;
            case DType.Float64: Compare.Apply(a.Storage<double>(), a.Dims, b.Storage<double>(), b.Dims, d, shape, comparison); break;
            default: Compare.Apply(a.Storage<long>(), a.Dims, b.Storage<long>(), b.Dims, d, shape, comparison); break;
        }

        return result;
    }

    /// <summary>This tensor in <paramref name="dtype"/> as the operand of an op with no gradient (a comparison).</summary>
    private Tensor Operand(DType dtype) => dtype == _dtype ? this : Detach().To(dtype);
}
