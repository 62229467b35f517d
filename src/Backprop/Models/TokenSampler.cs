namespace Backprop.Models;

/// <summary>Draws a token id from logits with a temperature and an optional top-k cut, as nanoGPT's sampling.</summary>
public static class TokenSampler
{
    /// <summary>Draws one token id.</summary>
    /// <param name="logits">The logits over the vocabulary (not changed).</param>
    /// <param name="temperature">Divides the logits; 0 takes the most likely token (the first of ties).</param>
    /// <param name="topK">Draw only among the k most likely tokens (ties with the k-th kept); null for all.</param>
    /// <param name="generator">The random source.</param>
    /// <returns>The id drawn.</returns>
    public static long Sample(ReadOnlySpan<float> logits, float temperature, int? topK, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (logits.IsEmpty)
        {
            throw new ArgumentException("TokenSampler: there are no logits to sample from.", nameof(logits));
        }

        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        if (temperature == 0f)
        {
            return best;
        }

        var cut = float.NegativeInfinity;
        if (topK is int k && k < logits.Length)
        {
            var sorted = logits.ToArray();
            Array.Sort(sorted);
            cut = sorted[^k];
        }

        var weights = new double[logits.Length];
        var total = 0.0;
        for (var i = 0; i < logits.Length; i++)
        {
            weights[i] = logits[i] >= cut ? Math.Exp((logits[i] - logits[best]) / (double)temperature) : 0;
            total += weights[i];
        }

        var u = generator.NextDouble() * total;
        for (var i = 0; i < weights.Length; i++)
        {
            u -= weights[i];
            if (u < 0 && weights[i] > 0)
            {
                return i;
            }
        }

        return best;
    }
}
