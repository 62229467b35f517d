namespace Backprop;

/// <summary>
/// Where a strided view (a slice, a selected row, a narrowed range) finds its elements in the storage it shares
/// with its base: an offset and one stride per dimension. The view keeps a row-major copy of them, which the
/// ops read like any tensor's storage; it is gathered again when the shared version counter says the base
/// changed, and written back when the view itself is changed in place.
/// </summary>
/// <param name="offset">The position of the first element in the base's storage.</param>
/// <param name="strides">The step in the base's storage of each dimension.</param>
/// <param name="syncedVersion">The base's version the copy holds.</param>
/// <param name="copyOwner">The view that owns the row-major copy (its reshapes share it).</param>
/// <param name="leaf">The leaf that requires grad this view reaches into, if any.</param>
internal sealed class ViewLayout(int offset, int[] strides, int syncedVersion, Tensor copyOwner, Tensor? leaf)
{
    /// <summary>The position of the first element in the base's storage.</summary>
    public int Offset { get; } = offset;

    /// <summary>The step in the base's storage of each dimension.</summary>
    public int[] Strides { get; } = strides;

    /// <summary>The base's version that the row-major copy holds.</summary>
    public int SyncedVersion { get; set; } = syncedVersion;

    /// <summary>The view whose storage the row-major copy is: it goes back to the pool with that view.</summary>
    public Tensor CopyOwner { get; } = copyOwner;

    /// <summary>A leaf that requires grad (a parameter) whose storage this view shares: it may change in place only without grad mode.</summary>
    public Tensor? Leaf { get; set; } = leaf;
}
