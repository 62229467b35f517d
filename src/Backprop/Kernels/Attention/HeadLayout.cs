namespace Backprop.Kernels.Attention;

/// <summary>
/// Where the rows of each (batch, head) pair of an attention operand lie in its array: element (b, h, t, d)
/// is at Offset + b·BatchStride + h·HeadStride + t·RowStride + d. One contiguous [B, H, T, D] tensor and
/// the query, key or value columns of a packed [B, T, 3·E] projection are both layouts, so attention reads
/// the heads where a Linear wrote them, without a permute.
/// </summary>
/// <param name="Offset">The first element of (0, 0, 0, 0).</param>
/// <param name="BatchStride">The distance between batch items.</param>
/// <param name="HeadStride">The distance between heads.</param>
/// <param name="RowStride">The distance between time steps.</param>
internal readonly record struct HeadLayout(int Offset, int BatchStride, int HeadStride, int RowStride)
{
    /// <summary>A contiguous [B, H, T, D] tensor.</summary>
    public static HeadLayout Contiguous(int heads, int steps, int headDim) => new(0, heads * steps * headDim, steps * headDim, headDim);

    /// <summary>Heads side by side in the rows of a [B, T, width] tensor, starting at column <paramref name="column"/>.</summary>
    public static HeadLayout Interleaved(int steps, int width, int headDim, int column) => new(column, steps * width, headDim, width);

    /// <summary>The element index of row <paramref name="t"/> of the pair (b, h).</summary>
    public int Row(int b, int h, int t) => Offset + (b * BatchStride) + (h * HeadStride) + (t * RowStride);
}
