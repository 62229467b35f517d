using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// This tensor converted to <paramref name="dtype"/> (a copy), or this tensor when it already has it, as
    /// torch.Tensor.to(dtype): floats to Int64 truncate toward zero, anything to Bool is value ≠ 0, Bool to a
    /// number is 1 or 0. Between float32 and float64 the gradient flows back (converted); a conversion of a
    /// tensor that requires grad to int64 or bool is refused while gradients are being recorded: Detach() it first.
    /// </summary>
    /// <param name="dtype">The element type to convert to.</param>
    /// <returns>The converted tensor.</returns>
    public Tensor To(DType dtype)
    {
        if (dtype == _dtype)
        {
            return this;
        }

        var differentiable = NeedsGrad(this);
        if (differentiable && !dtype.IsFloatingPoint())
        {
            throw new NotSupportedException($"To: the tensor of shape {Shapes.Format(Dims)} requires grad, and gradients do not flow into {dtype.Name()}; call Detach() first.");
        }

        var result = dtype switch
        {
            DType.Float32 => NewOutput<float>(Dims),
            DType.Float64 => NewOutput<double>(Dims),
            DType.Int64 => NewOutput<long>(Dims),
            DType.Bool => NewOutput<bool>(Dims),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype), $"To: {(int)dtype} is not a dtype."),
        };
        Conversion.Convert(RawStorage, result.RawStorage);
        if (differentiable)
        {
            // Between float32 and float64 the gradient converts back; only the pass through tensor ops runs it.
            result.Record("To", [this], null, graph: static (o, g, x) => [g.To(x[0]._dtype)]);
        }

        return result;
    }

    /// <summary>This tensor as float32 (torch.Tensor.float()).</summary>
    /// <returns>The converted tensor, or this one.</returns>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "PyTorch's conversion names.")]
    public Tensor Float() => To(DType.Float32);

    /// <summary>This tensor as float64 (torch.Tensor.double()).</summary>
    /// <returns>The converted tensor, or this one.</returns>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "PyTorch's conversion names.")]
    public Tensor Double() => To(DType.Float64);

    /// <summary>This tensor as int64 (torch.Tensor.long()).</summary>
    /// <returns>The converted tensor, or this one.</returns>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "PyTorch's conversion names.")]
    public Tensor Long() => To(DType.Int64);

    /// <summary>This tensor as bool (torch.Tensor.bool()).</summary>
    /// <returns>The converted tensor, or this one.</returns>
    public Tensor Bool() => To(DType.Bool);

    /// <summary>
    /// Throws unless every tensor is float32, naming <paramref name="op"/>, the offending tensor's dtype and
    /// shape: the check at the entry of the ops that compute in float32.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RequireFloat32(string op, Tensor a)
    {
        if (a._dtype != DType.Float32)
        {
            ThrowDTypeError(op, a, "float32");
        }
    }

    /// <summary><see cref="RequireFloat32(string, Tensor)"/> for two operands.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RequireFloat32(string op, Tensor a, Tensor b)
    {
        if ((a._dtype | b._dtype) != DType.Float32)
        {
            ThrowDTypeError(op, a._dtype != DType.Float32 ? a : b, "float32");
        }
    }

    /// <summary>
    /// True when both operands are float64, false when both are float32; throws for anything else, naming the op:
    /// the check at the entry of the ops that compute in either floating type.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsFloat64(string op, Tensor a, Tensor b)
    {
        if ((a._dtype | b._dtype) == DType.Float32)
        {
            return false;
        }

        if (a._dtype == DType.Float64 && b._dtype == DType.Float64)
        {
            return true;
        }

        throw a._dtype.IsFloatingPoint() && b._dtype.IsFloatingPoint()
            ? new ArgumentException($"{op}: the operands are {a._dtype.Name()} {Shapes.Format(a.Dims)} and {b._dtype.Name()} {Shapes.Format(b.Dims)}; both must have the same dtype. Convert one with Double() or Float().")
            : DTypeError(op, a._dtype.IsFloatingPoint() ? b : a, "float32 or float64");
    }

    /// <summary>Throws unless <paramref name="a"/> is float32 or float64, naming the op: the check at the entry of the ops that compute in either.</summary>
    internal static void RequireFloating(string op, Tensor a)
    {
        if (a._dtype is not (DType.Float32 or DType.Float64))
        {
            ThrowDTypeError(op, a, "float32 or float64");
        }
    }

    /// <summary>Throws unless <paramref name="t"/> holds integer indices (Int64), naming the op and what it is.</summary>
    internal static void RequireInt64(string op, Tensor t, string what)
    {
        if (t._dtype != DType.Int64)
        {
            throw new ArgumentException($"{op}: {what} must be int64, but it is {t._dtype.Name()} {Shapes.Format(t.Dims)}; convert it with Long().", what);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDTypeError(string op, Tensor t, string wanted) => throw DTypeError(op, t, wanted);

    private static ArgumentException DTypeError(string op, Tensor t, string wanted) => new(
        $"{op}: the {t._dtype.Name()} tensor of shape {Shapes.Format(t.Dims)} is not {wanted}; this op computes in {wanted}. Convert it with To(DType.Float32).");
}
