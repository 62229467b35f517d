namespace Backprop.Data;

/// <summary>A dataset held in two tensors whose first dimension indexes the samples.</summary>
public sealed class TensorDataset : Dataset
{
    /// <summary>Makes the dataset.</summary>
    /// <param name="inputs">The inputs, [N, ...].</param>
    /// <param name="targets">The targets, [N, ...] (int64 class indices for classification).</param>
    public TensorDataset(Tensor inputs, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.Rank == 0 || targets.Rank == 0 || inputs.Size(0) != targets.Size(0))
        {
            throw new ArgumentException($"TensorDataset: inputs [{string.Join(',', inputs.Shape)}] and targets [{string.Join(',', targets.Shape)}] must have the same first dimension.", nameof(targets));
        }

        Inputs = inputs;
        Targets = targets;
    }

    /// <summary>The inputs.</summary>
    public Tensor Inputs { get; }

    /// <summary>The targets.</summary>
    public Tensor Targets { get; }

    /// <inheritdoc/>
    public override int Count => Inputs.Size(0);

    /// <inheritdoc/>
    public override Batch GetBatch(int[] indices) => new(Inputs.IndexSelect(0, indices), Targets.IndexSelect(0, indices));

    /// <summary>The first <paramref name="count"/> samples (all when there are fewer).</summary>
    /// <param name="count">How many samples to keep.</param>
    /// <returns>The smaller dataset.</returns>
    public TensorDataset Take(int count)
    {
        var n = Math.Clamp(count, 0, Count);
        return new TensorDataset(Inputs.Narrow(0, 0, n), Targets.Narrow(0, 0, n));
    }
}
