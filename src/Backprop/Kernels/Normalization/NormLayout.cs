namespace Backprop.Kernels.Normalization;

/// <summary>
/// Which elements a normalization averages together. The data is a run of planes of <see cref="Plane"/>
/// elements; plane p belongs to channel p mod <see cref="Channels"/> (whose weight and bias it uses).
/// Statistic group i is the <see cref="Count"/> planes starting at i·<see cref="StartStride"/>, every
/// <see cref="Step"/> planes: batch norm's group is a channel across the batch (start c, step C), group
/// norm's a block of channels of one sample (start i·C/G, step 1), layer norm's one row of D planes of
/// one element each.
/// </summary>
internal readonly record struct NormLayout(int Groups, int StartStride, int Step, int Count, int Plane, int Channels)
{
    /// <summary>The elements in one statistic group.</summary>
    public int GroupSize => Count * Plane;

    /// <summary>The first element of the <paramref name="k"/>-th plane of group <paramref name="group"/>.</summary>
    public int PlaneStart(int group, int k) => ((group * StartStride) + (k * Step)) * Plane;

    /// <summary>The channel of the <paramref name="k"/>-th plane of group <paramref name="group"/>.</summary>
    public int Channel(int group, int k) => ((group * StartStride) + (k * Step)) % Channels;
}
