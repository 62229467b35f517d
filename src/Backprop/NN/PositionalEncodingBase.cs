using Backprop.Kernels;

namespace Backprop.NN;

/// <summary>
/// The shared part of <see cref="SinusoidalPositionalEncoding"/> and <see cref="LearnedPositionalEncoding"/>:
/// a table of one vector per position, [maxLen, d], whose first T rows are added to a [T, B, d] (or
/// batch-first [B, T, d]) sequence.
/// </summary>
public abstract class PositionalEncodingBase : Module<Tensor, Tensor>
{
    private protected PositionalEncodingBase(string name, int dModel, int maxLen, bool batchFirst)
    {
        if (dModel <= 0 || maxLen <= 0)
        {
            throw new ArgumentException($"{name}: dModel ({dModel}) and maxLen ({maxLen}) must be positive.", nameof(dModel));
        }

        (Name, DModel, MaxLen, BatchFirst) = (name, dModel, maxLen, batchFirst);
    }

    /// <summary>The width d.</summary>
    public int DModel { get; }

    /// <summary>The longest sequence it encodes.</summary>
    public int MaxLen { get; }

    /// <summary>Whether inputs are [B, T, d].</summary>
    public bool BatchFirst { get; }

    /// <summary>The vectors added, one per position, [maxLen, d].</summary>
    private protected abstract Tensor Table { get; }

    private string Name { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var steps = input.Rank == 3 ? input.Size(BatchFirst ? 1 : 0) : -1;
        if (input.Rank != 3 || input.Size(2) != DModel || steps > MaxLen)
        {
            throw new ArgumentException($"{Name}: input {Shapes.Format(input.Dims)} must be {(BatchFirst ? "[B, T, " : "[T, B, ")}{DModel}] with T at most {MaxLen}.", nameof(input));
        }

        var encoding = Table.Narrow(0, 0, steps);
        return input + (BatchFirst ? encoding : encoding.Unsqueeze(1));
    }
}
