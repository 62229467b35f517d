using System.Runtime.CompilerServices;

namespace Backprop.Kernels;

/// <summary>
/// A packed panel's columns: A[r, p] at p·MR + r. The same walk as <see cref="StridedColumns"/> with stride MR
/// and row stride 1, but with the stride a constant, so that the kernel needs one register fewer: the 12×32
/// AVX-512 tile otherwise spilled the stride to the stack and reloaded it every step of K.
/// </summary>
internal unsafe struct PackedColumns : IColumnWalk
{
    private float* _column;

    /// <summary>Starts at the panel's first column.</summary>
    public PackedColumns(float* panel) => _column = panel;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float* Next()
    {
        var column = _column;
        _column += Gemm.MR;
        return column;
    }
}
