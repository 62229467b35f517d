using System.Numerics.Tensors;

namespace Backprop.NN;

/// <summary>
/// A lookup table of learned vectors, one per token id, as torch.nn.Embedding: int64 ids of any shape give
/// [..., embeddingDim]. <see cref="Weight"/> [numEmbeddings, embeddingDim] starts as N(0, 1), with the
/// padding row (if any) zero and never learned.
/// </summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    /// <summary>Makes the table.</summary>
    /// <param name="numEmbeddings">The number of ids (rows).</param>
    /// <param name="embeddingDim">The length of each vector.</param>
    /// <param name="paddingIdx">An id whose vector stays zero and gets no gradient (negative counts from the end), or null.</param>
    /// <param name="maxNorm">When given, each looked-up row whose norm exceeds it is rescaled (in the table, without grad) to this norm first.</param>
    /// <param name="normType">The p of the p-norm for <paramref name="maxNorm"/>.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIdx = null, double? maxNorm = null, double normType = 2, Generator? generator = null)
    {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
        {
            throw new ArgumentException($"Embedding: sizes must be positive, got {numEmbeddings} embeddings of dimension {embeddingDim}.", nameof(numEmbeddings));
        }

        if (paddingIdx is int p && (p >= numEmbeddings || p < -numEmbeddings))
        {
            throw new ArgumentOutOfRangeException(nameof(paddingIdx), $"Embedding: paddingIdx {p} is outside the {numEmbeddings} embeddings.");
        }

        if (maxNorm is double m && !(m > 0) || !(normType > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), $"Embedding: maxNorm ({maxNorm}) and normType ({normType}) must be positive.");
        }

        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        PaddingIdx = paddingIdx is int q && q < 0 ? q + numEmbeddings : paddingIdx;
        MaxNorm = maxNorm;
        NormType = normType;
        Weight = RegisterParameter("weight", new Parameter(Tensor.Randn([numEmbeddings, embeddingDim], generator)));
        if (PaddingIdx is int row)
        {
            Weight.Data.AsSpan(row * embeddingDim, embeddingDim).Clear();
        }
    }

    /// <summary>The number of ids.</summary>
    public int NumEmbeddings { get; }

    /// <summary>The length of each vector.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The id that is never learned, or null.</summary>
    public int? PaddingIdx { get; }

    /// <summary>The largest norm a looked-up row keeps, or null.</summary>
    public double? MaxNorm { get; }

    /// <summary>The p of the norm for <see cref="MaxNorm"/>.</summary>
    public double NormType { get; }

    /// <summary>The table, [numEmbeddings, embeddingDim].</summary>
    public Parameter Weight { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (MaxNorm is double maxNorm)
        {
            Renormalize(input, maxNorm);
        }

        return Tensor.Embedding(input, Weight, PaddingIdx);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"Embedding({NumEmbeddings}, {EmbeddingDim}{(PaddingIdx is int p ? $", padding_idx={p}" : string.Empty)}{(MaxNorm is double m ? $", max_norm={PyText.Of(m)}" : string.Empty)})";

    /// <summary>Scales each row the ids pick whose norm exceeds <paramref name="maxNorm"/> down to it, in place, as PyTorch's embedding_renorm_.</summary>
    private void Renormalize(Tensor input, double maxNorm)
    {
        Tensor.RequireInt64("Embedding", input, nameof(input));
        var table = Weight.Data;
        foreach (var id in input.AsSpan<long>().ToArray().Distinct())
        {
            if ((ulong)id >= (ulong)NumEmbeddings)
            {
                continue;
            }

            var row = table.AsSpan((int)id * EmbeddingDim, EmbeddingDim);
            var sum = 0.0;
            foreach (var x in row)
            {
                sum += Math.Pow(Math.Abs(x), NormType);
            }

            var norm = Math.Pow(sum, 1 / NormType);
            if (norm > maxNorm)
            {
                TensorPrimitives.Multiply(row, (float)(maxNorm / (norm + 1e-7)), row);
            }
        }

        Weight.BumpVersion();
    }
}
