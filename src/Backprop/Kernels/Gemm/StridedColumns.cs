using System.Runtime.CompilerServices;

namespace Backprop.Kernels;

/// <summary>A's columns a fixed stride apart: a packed panel (stride MR) or the matrix itself, either layout.</summary>
internal unsafe struct StridedColumns : IColumnWalk
{
    private readonly nint _stride;
    private float* _column;

    /// <summary>Starts at <paramref name="a"/> (A[0, 0]), each column <paramref name="stride"/> floats after the last.</summary>
    public StridedColumns(float* a, nint stride)
    {
        _column = a;
        _stride = stride;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float* Next()
    {
        var column = _column;
        _column += _stride;
        return column;
    }
}
