using Backprop.Data;
using Backprop.Models;
using Backprop.NN;
using static Backprop.Tests.Ops.OpCheck;

namespace Backprop.Tests.NN;

/// <summary>Embedding, attention layers and the GPT: gradients, masks, the KV cache, sampling and the text data.</summary>
public class SequenceLayerTests
{
    [Fact]
    public void EmbeddingGradientsAndPaddingRow()
    {
        var ids = Tensor.FromArray(new long[] { 0, 3, 3, 1, 2, 3 }, 2, 3);
        AssertGradCheck(x => Tensor.Embedding(ids, x[0]), Input(1, 4, 3));

        // The padding row is looked up but gets no gradient (so finite differences, which see it, do not apply).
        var table = Input(2, 4, 3);
        Tensor.Embedding(ids, table, paddingIdx: 3).Sum().Backward();
        Assert.Equal([1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 0f, 0f, 0f], table.Grad!.ToArray());

        var embedding = new Embedding(4, 3, paddingIdx: -1, generator: new Generator(3));
        Assert.Equal(3, embedding.PaddingIdx);
        Assert.All(embedding.Weight.ToArray()[9..], w => Assert.Equal(0f, w));
        Assert.Equal([2, 3, 3], embedding.Forward(ids).Shape);
        Assert.Equal("Embedding(4, 3, padding_idx=3)", embedding.ToString());
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => embedding.Forward(Tensor.FromArray(new long[] { 0, 4 }, 2)));
        Assert.Contains("index 4 at position 1", error.Message);
        Assert.Throws<ArgumentException>(() => embedding.Forward(Tensor.Zeros(2)));
    }

    [Fact]
    public void EmbeddingMaxNormRescalesTheRowsItLooksUp()
    {
        var embedding = new Embedding(3, 4, maxNorm: 1.0, generator: new Generator(4));
        using (Tensor.NoGrad())
        {
            embedding.Weight.MulInPlace(5f);
        }

        var before = embedding.Weight.ToArray();
        embedding.Forward(Tensor.FromArray(new long[] { 2 }, 1));
        var after = embedding.Weight.ToArray();
        Assert.Equal(before[..8], after[..8]);
        Assert.InRange(Math.Sqrt(after[8..].Sum(x => x * x)), 0.999, 1.0);
    }

    [Fact]
    public void MultiheadAttentionGradientsAgreeWithFiniteDifferences()
    {
        var mha = new MultiheadAttention(4, 2, batchFirst: true, generator: new Generator(5));
        AssertGradCheck(x => mha.Forward(x[0]), Input(6, 2, 3, 4));
        var padding = Tensor.FromArray(new[] { false, false, true, false, false, false }, 2, 3);
        AssertGradCheck(x => mha.Forward(x[0], x[1], x[1], padding, needWeights: false, isCausal: true).Output, Input(7, 2, 3, 4), Input(8, 2, 3, 4));
        AssertGradCheck(x => mha.Forward(x[0], x[1], x[2], needWeights: false).Output, Input(9, 2, 2, 4), Input(10, 2, 3, 4), Input(11, 2, 3, 4));
        AssertGradCheck(x => new TransformerEncoderLayer(4, 2, 6, dropout: 0f, generator: new Generator(12)).Forward(x[0]), Input(13, 3, 2, 4));
    }

    [Fact]
    public void MultiheadAttentionWithDropoutAndUnbatchedInputs()
    {
        var mha = new MultiheadAttention(4, 2, dropout: 0.5f, generator: new Generator(14));
        var x = Tensor.Randn([3, 4], new Generator(15));
        var (output, weights) = mha.Forward(x, x, x);
        Assert.Equal([3, 4], output.Shape);
        Assert.Equal([3, 3], weights!.Shape);
        mha.Eval();
        var (evalOutput, evalWeights) = mha.Forward(x, x, x);
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(1f, evalWeights!.ToArray().Skip(3 * i).Take(3).Sum(), 5));
        Assert.NotEqual(output.ToArray(), evalOutput.ToArray());

        var error = Assert.Throws<ArgumentException>(() => mha.Forward(x, x, x, attnMask: Tensor.Zeros(2, 2)));
        Assert.Contains("attnMask [2,2]", error.Message);
        Assert.Throws<ArgumentException>(() => new MultiheadAttention(6, 4));
    }

    [Fact]
    public void GptWithAKvCacheGivesTheLogitsOfTheWholeSequence()
    {
        var model = new Gpt(new GptConfig(7, ContextLength: 6, Width: 8, Layers: 2, Heads: 2), new Generator(16));
        var ids = Tensor.FromArray(new long[] { 1, 4, 2, 6, 0, 3, 5, 5, 1, 2, 2, 0 }, 2, 6);
        var full = model.Forward(ids).ToArray();
        var cache = new KvCache(model.Config, batch: 2);
        var pieces = new List<float[]>();
        using (Tensor.NoGrad())
        {
            foreach (var (start, length) in new[] { (0, 3), (3, 1), (4, 2) })
            {
                var piece = Tensor.FromArray(ids.ToArray<long>().Chunk(6).SelectMany(row => row.Skip(start).Take(length)).ToArray(), 2, length);
                pieces.Add(model.Forward(piece, cache).ToArray());
            }
        }

        Assert.Equal(6, cache.Length);
        for (int b = 0; b < 2; b++)
        {
            var cached = pieces[0].Skip(b * 3 * 7).Take(3 * 7).Concat(pieces[1].Skip(b * 7).Take(7)).Concat(pieces[2].Skip(b * 2 * 7).Take(2 * 7)).ToArray();
            Assert.All(cached.Zip(full.Skip(b * 6 * 7).Take(6 * 7)), p => Assert.True(Math.Abs(p.First - p.Second) < 1e-5, $"{p.First} vs {p.Second}"));
        }

        var error = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.FromArray(new long[] { 1, 2 }, 2, 1), cache));
        Assert.Contains("less 6 cached steps", error.Message);
    }

    [Fact]
    public void GenerateIsSeededStreamsPastTheContextAndKeepsTrainingMode()
    {
        var model = new Gpt(new GptConfig(5, ContextLength: 4, Width: 8, Layers: 1, Heads: 2), new Generator(17));
        var first = model.Generate([1, 2], 11, 0.8f, 3, new Generator(18)).ToArray();
        Assert.Equal(11, first.Length);
        Assert.All(first, t => Assert.InRange(t, 0, 4));
        Assert.Equal(first, model.Generate([1, 2], 11, 0.8f, 3, new Generator(18)).ToArray());
        Assert.True(model.Training);

        // Greedy decoding takes the argmax of the logits of the whole (recomputed) window at each step.
        var greedy = model.Generate([3], 3, 0f).ToArray();
        var history = new List<long> { 3 };
        using (Tensor.NoGrad())
        {
            model.Eval();
            for (var i = 0; i < 3; i++)
            {
                var logits = model.Forward(Tensor.FromArray(history.ToArray(), 1, history.Count)).ToArray().Skip((history.Count - 1) * 5).ToArray();
                history.Add(Array.IndexOf(logits, logits.Max()));
            }
        }

        Assert.Equal(history.Skip(1), greedy);
        Assert.Throws<ArgumentException>(() => model.Generate([], 3).ToArray());
    }

    [Fact]
    public void TokenSamplerFollowsTemperatureAndTopK()
    {
        float[] logits = [0f, 2f, 1f, -1f];
        var g = new Generator(19);
        var counts = new int[4];
        for (var i = 0; i < 4000; i++)
        {
            counts[TokenSampler.Sample(logits, 1f, 2, g)]++;
        }

        Assert.Equal(0, counts[0] + counts[3]);
        Assert.InRange(counts[1] / 4000.0, 0.70, 0.76); // e² / (e² + e) = 0.731
        Assert.Equal(1, TokenSampler.Sample(logits, 0f, null, g));
    }

    [Fact]
    public void CharVocabularyAndTextWindows()
    {
        var vocabulary = CharVocabulary.FromText("hello, wörld\n");
        Assert.Equal("\n ,dehlorwö", vocabulary.Symbols);
        var ids = vocabulary.Encode("world\n");
        Assert.Equal("world\n", vocabulary.Decode(ids));
        Assert.Equal(vocabulary.Symbols, CharVocabulary.FromSymbols(vocabulary.Symbols).Symbols);
        var error = Assert.Throws<ArgumentException>(() => vocabulary.Encode("hex"));
        Assert.Contains("'x' (U+0078) at offset 2", error.Message);

        var tokens = Enumerable.Range(0, 20).Select(i => (long)i).ToArray();
        var windows = new TextWindows(tokens, 5);
        Assert.Equal(15, windows.Count);
        var batch = windows.Sample(3, new Generator(20));
        Assert.Equal([3, 5], batch.Input.Shape);
        var (x, y) = (batch.Input.ToArray<long>(), batch.Target.ToArray<long>());
        Assert.All(Enumerable.Range(0, 15), i => Assert.Equal(x[i] + 1, y[i]));
        Assert.Equal(x, windows.Sample(3, new Generator(20)).Input.ToArray<long>());
        Assert.Throws<ArgumentException>(() => new TextWindows(tokens[..5], 5));
    }

    [Fact]
    public void RecurrentLayersAgreeWithFiniteDifferences()
    {
        var lstm = new LSTM(3, 4, numLayers: 2, bidirectional: true, generator: new Generator(21));
        AssertGradCheck(x => lstm.Forward(x[0], (x[1], x[2])).Output, Input(22, 3, 2, 3), Input(23, 4, 2, 4), Input(24, 4, 2, 4));
        AssertGradCheck(x => lstm.Forward(x[0]).State.C, Input(25, 2, 2, 3));
        var gru = new GRU(3, 4, batchFirst: true, generator: new Generator(26));
        AssertGradCheck(x => gru.Forward(x[0], x[1]).Output, Input(27, 2, 3, 3), Input(28, 1, 2, 4));
        var rnn = new RNN(3, 2, numLayers: 2, generator: new Generator(29));
        AssertGradCheck(x => rnn.Forward(x[0]).H, Input(30, 4, 2, 3));
        var cell = new LSTMCell(3, 2, generator: new Generator(31));
        AssertGradCheck(x => cell.Forward(x[0], (x[1], x[2])).C, Input(32, 2, 3), Input(33, 2, 2), Input(34, 2, 2));
        AssertGradCheck(x => new GRUCell(3, 2, generator: new Generator(35)).Forward(x[0], x[1]), Input(36, 3), Input(37, 2));
    }

    [Fact]
    public void RecurrentLayersShapesNamesAndErrors()
    {
        var lstm = new LSTM(3, 4, numLayers: 2, batchFirst: true, bidirectional: true, generator: new Generator(38));
        Assert.Equal("LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True)", lstm.ToString());
        Assert.Equal(
            ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse"],
            lstm.NamedParameters().Select(p => p.Name).Take(8));
        Assert.Equal([16, 8], lstm.NamedParameters().First(p => p.Name == "weight_ih_l1").Parameter.Shape);
        var (output, (h, c)) = lstm.Forward(Tensor.Randn([2, 5, 3], new Generator(39)));
        Assert.Equal([2, 5, 8], output.Shape);
        Assert.Equal([4, 2, 4], h.Shape);
        Assert.Equal([4, 2, 4], c.Shape);

        // The forward direction's final state is the last output step; the reverse direction's, the first.
        Assert.Equal(output.ToArray().Skip(4 * 8).Take(4), h[2..3].ToArray().Take(4));
        Assert.Equal(output.ToArray().Skip(4).Take(4), h[3..4].ToArray().Take(4));

        var unbatched = new GRU(3, 4).Forward(Tensor.Randn([5, 3], new Generator(40)));
        Assert.Equal([5, 4], unbatched.Output.Shape);
        Assert.Equal([1, 4], unbatched.H.Shape);

        var error = Assert.Throws<ArgumentException>(() => lstm.Forward(Tensor.Zeros(2, 5, 4)));
        Assert.Contains("LSTM: input [2,5,4] must be [B, T, 3]", error.Message);
        error = Assert.Throws<ArgumentException>(() => lstm.Forward(Tensor.Zeros(2, 5, 3), (Tensor.Zeros(2, 2, 4), Tensor.Zeros(4, 2, 4))));
        Assert.Contains("h0 [2,2,4] must be [4,2,4]", error.Message);
        Assert.Throws<ArgumentException>(() => new RNN(3, 4, nonlinearity: "sigmoid"));
    }

    [Fact]
    public void PositionalEncodings()
    {
        var sinusoidal = new SinusoidalPositionalEncoding(6, maxLen: 10, batchFirst: true);
        var encoded = sinusoidal.Forward(Tensor.Zeros(2, 4, 6));
        Assert.Equal((float)Math.Sin(3 / Math.Pow(10000, 2.0 / 6)), encoded[1, 3, 2], 6);
        Assert.Equal((float)Math.Cos(3 / Math.Pow(10000, 4.0 / 6)), encoded[0, 3, 5], 6);
        Assert.Equal(1f, encoded[0, 0, 1]);
        Assert.Empty(sinusoidal.StateDict());
        Assert.Equal([3, 2, 6], new SinusoidalPositionalEncoding(6).Forward(Tensor.Zeros(3, 2, 6)).Shape);
        Assert.Throws<ArgumentException>(() => sinusoidal.Forward(Tensor.Zeros(1, 11, 6)));

        var learned = new LearnedPositionalEncoding(5, 3, generator: new Generator(41));
        AssertGradCheck(x => learned.Forward(x[0]), Input(42, 4, 2, 3));
        Assert.Equal([5, 3], learned.StateDict()["weight"].Shape);
    }
}
