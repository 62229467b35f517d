using System.Runtime.CompilerServices;

namespace Backprop.Kernels;

/// <summary>
/// A's columns through a table of offsets: column p starts at origin + offsets[p]. A convolution's colᵀ, for
/// six positions on one output row inside the image, is read this way straight from the image (a tap's six
/// pixels are neighbours), instead of being packed first.
/// </summary>
internal unsafe struct IndirectColumns : IColumnWalk
{
    private readonly float* _origin;
    private int* _offsets;

    /// <summary>Column p at <paramref name="origin"/> + <paramref name="offsets"/>[p].</summary>
    public IndirectColumns(float* origin, int* offsets)
    {
        _origin = origin;
        _offsets = offsets;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float* Next() => _origin + *_offsets++;
}
