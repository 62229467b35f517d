namespace Backprop.NN;

/// <summary>Flattens dimensions startDim..endDim (by default all but the batch dimension).</summary>
/// <param name="startDim">The first dimension to merge.</param>
/// <param name="endDim">The last dimension to merge.</param>
public sealed class Flatten(int startDim = 1, int endDim = -1) : Module<Tensor, Tensor>
{
    /// <summary>The first dimension merged.</summary>
    public int StartDim { get; } = startDim;

    /// <summary>The last dimension merged (negative counts from the end).</summary>
    public int EndDim { get; } = endDim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Flatten(StartDim, EndDim);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Flatten(start_dim={StartDim}, end_dim={EndDim})";
}
