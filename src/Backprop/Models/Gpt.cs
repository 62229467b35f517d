using Backprop.NN;

namespace Backprop.Models;

/// <summary>
/// A GPT (decoder-only transformer) language model, as nanoGPT's: token and learned position embeddings
/// (wte, wpe), <see cref="GptConfig.Layers"/> pre-norm <see cref="GptBlock"/>s (h.0, h.1, …), a final
/// LayerNorm (ln_f), and logits from the token embedding itself (tied weights). Initialised as nanoGPT:
/// every matrix N(0, 0.02), the residual projections N(0, 0.02/√(2·layers)), biases zero. Forward maps
/// int64 token ids [B, T] to logits [B, T, vocab]; <see cref="Generate"/> samples text with a KV cache.
/// </summary>
public sealed class Gpt : Module<Tensor, Tensor>
{
    /// <summary>Makes the model.</summary>
    /// <param name="config">Its shape.</param>
    /// <param name="generator">The random source of initialisation and dropout; null uses <see cref="Generator.Default"/>.</param>
    public Gpt(GptConfig config, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        Wte = RegisterModule("wte", new Embedding(config.VocabSize, config.Width, generator: generator));
        Wpe = RegisterModule("wpe", new Embedding(config.ContextLength, config.Width, generator: generator));
        Drop = RegisterModule("drop", new Dropout(config.Dropout, generator));
        H = RegisterModule("h", new ModuleList<GptBlock>([.. Enumerable.Range(0, config.Layers).Select(_ => new GptBlock(config, generator))]));
        LnF = RegisterModule("ln_f", new LayerNorm(config.Width));
        foreach (var (name, p) in NamedParameters())
        {
            if (name.EndsWith("bias", StringComparison.Ordinal))
            {
                Init.Zeros(p);
            }
            else if (p.Rank == 2)
            {
                Init.Normal(p, 0f, 0.02f, generator);
            }
        }

        var residual = 0.02f / MathF.Sqrt(2 * config.Layers);
        foreach (var block in H)
        {
            Init.Normal(block.Attn.CProj.Weight, 0f, residual, generator);
            Init.Normal(block.Mlp.CProj.Weight, 0f, residual, generator);
        }
    }

    /// <summary>The model's shape.</summary>
    public GptConfig Config { get; }

    /// <summary>The token embedding, [vocab, width], also the output layer's weight.</summary>
    public Embedding Wte { get; }

    /// <summary>The position embedding, [context, width].</summary>
    public Embedding Wpe { get; }

    /// <summary>The dropout on the summed embeddings.</summary>
    public Dropout Drop { get; }

    /// <summary>The transformer blocks.</summary>
    public ModuleList<GptBlock> H { get; }

    /// <summary>The final norm.</summary>
    public LayerNorm LnF { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Forward(input, null);

    /// <summary>The logits for token ids that follow the ones a cache holds (none without a cache); the cache takes their keys and values.</summary>
    /// <param name="input">Token ids, int64 [B, T].</param>
    /// <param name="cache">The cache of the earlier tokens, or null.</param>
    /// <returns>Logits, [B, T, vocab].</returns>
    public Tensor Forward(Tensor input, KvCache? cache)
    {
        ArgumentNullException.ThrowIfNull(input);
        var past = cache?.Length ?? 0;
        if (input.DType != DType.Int64 || input.Rank != 2 || past + input.Size(1) > Config.ContextLength || input.Size(1) == 0)
        {
            throw new ArgumentException($"Gpt: the input must be int64 token ids [B, T] with 1 ≤ T ≤ {Config.ContextLength - past} (the context length {Config.ContextLength}{(past > 0 ? $" less {past} cached steps" : string.Empty)}); got {input.DType.Name()} {Kernels.Shapes.Format(input.Dims)}.", nameof(input));
        }

        var steps = input.Size(1);
        var positions = Tensor.Arange(past, past + steps, 1, DType.Int64);
        var x = Drop.Call(Wte.Call(input) + Wpe.Call(positions));
        for (var i = 0; i < H.Count; i++)
        {
            x = H[i].Forward(x, cache, i);
        }

        cache?.Advance(steps);
        return Tensor.Linear(LnF.Call(x), Wte.Weight, null);
    }

    /// <summary>The attention weights of every block for token ids [B, T], in evaluation mode and without gradients: one [B, heads, T, T] tensor per block.</summary>
    /// <param name="input">Token ids, int64 [B, T].</param>
    /// <returns>Each block's weights; row i of a head is how much position i attends to each position up to it.</returns>
    public IReadOnlyList<Tensor> AttentionWeights(Tensor input)
    {
        var wasTraining = Training;
        this.Eval();
        try
        {
            foreach (var block in H)
            {
                block.Attn.KeepWeights = true;
            }

            using (Tensor.NoGrad())
            {
                Forward(input);
            }

            return [.. H.Select(b => b.Attn.LastWeights!)];
        }
        finally
        {
            foreach (var block in H)
            {
                block.Attn.KeepWeights = false;
            }

            this.Train(wasTraining);
        }
    }

    /// <summary>
    /// Samples <paramref name="maxNewTokens"/> tokens after a prompt, one at a time, each yielded as soon as
    /// it is drawn, in evaluation mode and without gradients. Each token costs one step: the keys and values
    /// of the tokens before it are cached. When the cache holds a whole context, it is refilled from the last
    /// half of the text, so the model always sees between half and all of its context length.
    /// </summary>
    /// <param name="prompt">The token ids to continue (at least one; only the last context length of them are read).</param>
    /// <param name="maxNewTokens">How many tokens to draw.</param>
    /// <param name="temperature">Divides the logits: below 1 sharper, above 1 more random; 0 always takes the most likely token.</param>
    /// <param name="topK">Draw only among the k most likely tokens; null for all.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    /// <returns>The new token ids, as they are drawn.</returns>
    public IEnumerable<long> Generate(IReadOnlyList<long> prompt, int maxNewTokens, float temperature = 1f, int? topK = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (prompt.Count == 0 || maxNewTokens < 0 || !(temperature >= 0f) || topK is <= 0)
        {
            throw new ArgumentException($"Gpt.Generate: the prompt needs at least one token (got {prompt.Count}), maxNewTokens ({maxNewTokens}) must not be negative, temperature ({temperature}) must be ≥ 0 and topK ({topK}) positive.", nameof(prompt));
        }

        return GenerateCore(prompt, maxNewTokens, temperature, topK, generator ?? Generator.Default);
    }

    private IEnumerable<long> GenerateCore(IReadOnlyList<long> prompt, int maxNewTokens, float temperature, int? topK, Generator generator)
    {
        var wasTraining = Training;
        this.Eval();
        try
        {
            var history = new List<long>(prompt);
            var cache = new KvCache(Config);
            var logits = Step(history, Math.Min(history.Count, Config.ContextLength), cache);
            for (var n = 0; n < maxNewTokens; n++)
            {
                var next = TokenSampler.Sample(logits, temperature, topK, generator);
                history.Add(next);
                yield return next;
                if (n == maxNewTokens - 1)
                {
                    break;
                }

                if (cache.Length == cache.Capacity)
                {
                    cache.Clear();
                    logits = Step(history, Math.Max(1, Config.ContextLength / 2), cache);
                }
                else
                {
                    logits = Step(history, 1, cache);
                }
            }
        }
        finally
        {
            this.Train(wasTraining);
        }
    }

    /// <summary>Feeds the last <paramref name="count"/> tokens of the history through the model and its cache; returns the last position's logits.</summary>
    private float[] Step(List<long> history, int count, KvCache cache)
    {
        using var noGrad = Tensor.NoGrad();
        var tokens = Tensor.FromArray(history.GetRange(history.Count - count, count).ToArray(), 1, count);
        var logits = Forward(tokens, cache);
        var vocab = Config.VocabSize;
        return logits.Span.Slice((count - 1) * vocab, vocab).ToArray();
    }
}
