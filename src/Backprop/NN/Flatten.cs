namespace Backprop.NN;

/// <summary>Flattens dimensions startDim..endDim (by default all but the batch dimension).</summary>
/// <param name="startDim">The first dimension to merge.</param>
/// <param name="endDim">The last dimension to merge.</param>
public sealed class Flatten(int startDim = 1, int endDim = -1) : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Flatten(startDim, endDim);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Flatten(start_dim={startDim}, end_dim={endDim})";
}
