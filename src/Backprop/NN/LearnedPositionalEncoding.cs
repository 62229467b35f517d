using Backprop.Kernels;

namespace Backprop.NN;

/// <summary>Adds a learned vector per position to a sequence (GPT's wpe): <see cref="Weight"/> [maxLen, d], initialised N(0, 0.02).</summary>
public sealed class LearnedPositionalEncoding : Module<Tensor, Tensor>
{
    /// <summary>Makes the table.</summary>
    /// <param name="maxLen">The longest sequence it encodes.</param>
    /// <param name="dModel">The width d of the sequence's features.</param>
    /// <param name="batchFirst">Whether inputs are [B, T, d] rather than [T, B, d].</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    public LearnedPositionalEncoding(int maxLen, int dModel, bool batchFirst = false, Generator? generator = null)
    {
        if (dModel <= 0 || maxLen <= 0)
        {
            throw new ArgumentException($"LearnedPositionalEncoding: maxLen ({maxLen}) and dModel ({dModel}) must be positive.", nameof(maxLen));
        }

        (DModel, MaxLen, BatchFirst) = (dModel, maxLen, batchFirst);
        Weight = RegisterParameter("weight", new Parameter(Init.Normal(Tensor.Zeros(maxLen, dModel), 0f, 0.02f, generator)));
    }

    /// <summary>The width d.</summary>
    public int DModel { get; }

    /// <summary>The longest sequence it encodes.</summary>
    public int MaxLen { get; }

    /// <summary>Whether inputs are [B, T, d].</summary>
    public bool BatchFirst { get; }

    /// <summary>One learned vector per position, [maxLen, d].</summary>
    public Parameter Weight { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var steps = input.Rank == 3 ? input.Size(BatchFirst ? 1 : 0) : -1;
        if (input.Rank != 3 || input.Size(2) != DModel || steps > MaxLen)
        {
            throw new ArgumentException($"LearnedPositionalEncoding: input {Shapes.Format(input.Dims)} must be {(BatchFirst ? "[B, T, " : "[T, B, ")}{DModel}] with T at most {MaxLen}.", nameof(input));
        }

        var encoding = Weight.Narrow(0, 0, steps);
        return input + (BatchFirst ? encoding : encoding.Unsqueeze(1));
    }

    /// <inheritdoc/>
    public override string ToString() => $"LearnedPositionalEncoding(max_len={MaxLen}, d_model={DModel})";
}
