namespace Backprop.Data;

/// <summary>
/// Chooses which samples an epoch visits and in which order (torch.utils.data.Sampler): give one to a
/// <see cref="DataLoader"/> in place of its own shuffling.
/// </summary>
public abstract class Sampler
{
    /// <summary>The number of indices each epoch yields.</summary>
    public abstract int Count { get; }

    /// <summary>The next epoch's indices into the dataset, <see cref="Count"/> of them.</summary>
    /// <returns>The indices, in the order to visit them.</returns>
    public abstract int[] NextEpoch();
}
