namespace Backprop.Tests;

/// <summary>
/// The tutorial's network, input 1 → hidden 2 → output 2, ReLU on both layers, biases 0.1, cost
/// ½·Σ(ŷ−y)²: its hand-derived gradients against autograd's, then training.
/// </summary>
public class SeedNetworkTests
{
    /// <summary>A layer's weights as the tutorial writes them: W is [in, out], Z = X·W + B.</summary>
    private sealed record Layer(Tensor W, Tensor B);

    private static Layer[] HeInit(int[] sizes, Generator g)
    {
        var layers = new Layer[sizes.Length - 1];
        for (var l = 0; l < layers.Length; l++)
        {
            var w = Tensor.Randn([sizes[l], sizes[l + 1]], g) * MathF.Sqrt(2f / sizes[l]);
            layers[l] = new Layer(w.SetRequiresGrad(), Tensor.Full(0.1f, 1, sizes[l + 1]).SetRequiresGrad());
        }

        return layers;
    }

    private static Tensor Forward(Layer[] layers, Tensor x)
    {
        var h = x;
        foreach (var layer in layers)
        {
            h = (h.MatMul(layer.W) + layer.B).Relu();
        }

        return h;
    }

    private static Tensor Cost(Tensor yHat, Tensor y) => ((yHat - y).Pow(2f) * 0.5f).Sum();

    /// <summary>
    /// The manual layer-by-layer chain rule on plain arrays: E_L = (ŷ−y)⊙relu′(Z_L),
    /// E_l = (E_{l+1}·W_{l+1}ᵀ)⊙relu′(Z_l), dW_l = A_{l−1}ᵀ·E_l, dB_l = E_l.
    /// </summary>
    private static (float[][] DW, float[][] DB) ManualGradients(Layer[] layers, float[] x, float[] y)
    {
        var n = layers.Length;
        var activations = new float[n + 1][];
        var z = new float[n][];
        activations[0] = x;
        for (var l = 0; l < n; l++)
        {
            var w = layers[l].W.ToArray();
            var b = layers[l].B.ToArray();
            int inSize = activations[l].Length, outSize = b.Length;
            z[l] = new float[outSize];
            activations[l + 1] = new float[outSize];
            for (var j = 0; j < outSize; j++)
            {
                var s = b[j];
                for (var i = 0; i < inSize; i++)
                {
                    s += activations[l][i] * w[(i * outSize) + j];
                }

                z[l][j] = s;
                activations[l + 1][j] = Math.Max(s, 0f);
            }
        }

        var dw = new float[n][];
        var db = new float[n][];
        var e = new float[y.Length];
        for (var j = 0; j < y.Length; j++)
        {
            e[j] = (activations[n][j] - y[j]) * (z[n - 1][j] > 0 ? 1f : 0f);
        }

        for (var l = n - 1; l >= 0; l--)
        {
            var w = layers[l].W.ToArray();
            int inSize = activations[l].Length, outSize = e.Length;
            dw[l] = new float[inSize * outSize];
            db[l] = (float[])e.Clone();
            for (var i = 0; i < inSize; i++)
            {
                for (var j = 0; j < outSize; j++)
                {
                    dw[l][(i * outSize) + j] = activations[l][i] * e[j];
                }
            }

            if (l > 0)
            {
                var previous = new float[inSize];
                for (var i = 0; i < inSize; i++)
                {
                    float s = 0;
                    for (var j = 0; j < outSize; j++)
                    {
                        s += e[j] * w[(i * outSize) + j];
                    }

                    previous[i] = s * (z[l - 1][i] > 0 ? 1f : 0f);
                }

                e = previous;
            }
        }

        return (dw, db);
    }

    private static void AssertAutogradMatchesHand(int[] sizes, ulong seed, float[] x, float[] y)
    {
        var layers = HeInit(sizes, new Generator(seed));
        var (dw, db) = ManualGradients(layers, x, y);
        var cost = Cost(Forward(layers, Tensor.FromArray(x, 1, x.Length)), Tensor.FromArray(y, 1, y.Length));
        cost.Backward();
        for (var l = 0; l < layers.Length; l++)
        {
            var autoW = layers[l].W.Grad!.ToArray();
            var autoB = layers[l].B.Grad!.ToArray();
            for (var i = 0; i < autoW.Length; i++)
            {
                Assert.Equal(dw[l][i], autoW[i], 5);
            }

            for (var i = 0; i < autoB.Length; i++)
            {
                Assert.Equal(db[l][i], autoB[i], 5);
            }
        }
    }

    [Fact]
    public void AutogradMatchesTheHandDerivedGradients()
    {
        // Seed 20 gives an active path through both layers for this input, so no gradient is trivially zero.
        var layers = HeInit([1, 2, 2], new Generator(20));
        var x = Tensor.FromArray([0.5f], 1, 1);
        var y = Tensor.FromArray([1f, 0.2f], 1, 2);
        var zh = x.MatMul(layers[0].W) + layers[0].B;
        var h = zh.Relu();
        var zo = h.MatMul(layers[1].W) + layers[1].B;
        var yHat = zo.Relu();
        Cost(yHat, y).Backward();

        // Eo = (ŷ−y)⊙relu′(Zo); Eh = (Eo·Woᵀ)⊙relu′(Zh); dWo = Hᵀ·Eo; dWh = Xᵀ·Eh.
        var reluPrime = (Tensor z) => Tensor.FromArray([.. z.ToArray().Select(v => v > 0 ? 1f : 0f)], z.Shape);
        using (Tensor.NoGrad())
        {
            var eo = (yHat - y) * reluPrime(zo);
            var eh = eo.MatMul(layers[1].W.T) * reluPrime(zh);
            var dWo = h.T.MatMul(eo);
            var dWh = x.T.MatMul(eh);
            Assert.Equal(dWo.ToArray(), layers[1].W.Grad!.ToArray());
            Assert.Equal(eo.ToArray(), layers[1].B.Grad!.ToArray());
            Assert.Equal(dWh.ToArray(), layers[0].W.Grad!.ToArray());
            Assert.Equal(eh.ToArray(), layers[0].B.Grad!.ToArray());
            Assert.Contains(dWo.ToArray(), v => v != 0f);
            Assert.Contains(dWh.ToArray(), v => v != 0f);
        }
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(7UL)]
    public void AutogradMatchesPlainArrayChainRule(ulong seed) => AssertAutogradMatchesHand([1, 2, 2], seed, [0.5f], [1f, 0.2f]);

    [Fact]
    public void TenLayerNetworkMatchesLayerByLayerChainRule() =>
        AssertAutogradMatchesHand([3, 8, 8, 8, 8, 8, 8, 8, 8, 8, 2], 11, [0.3f, -0.7f, 1.2f], [0.5f, 1.5f]);

    [Fact]
    public void TrainingLowersTheCost()
    {
        var layers = HeInit([1, 2, 2], new Generator(20));
        var x = Tensor.FromArray([0.5f], 1, 1);
        var y = Tensor.FromArray([1f, 0.2f], 1, 2);
        var costs = new List<float>();
        for (var epoch = 0; epoch < 200; epoch++)
        {
            var cost = Cost(Forward(layers, x), y);
            costs.Add(cost.Item());
            cost.Backward();
            using (Tensor.NoGrad())
            {
                foreach (var p in layers.SelectMany(l => new[] { l.W, l.B }))
                {
                    p.SubInPlace(p.Grad! * 0.1f);
                    p.ZeroGrad();
                }
            }
        }

        Assert.True(costs[^1] < costs[0] * 0.01f, $"cost went from {costs[0]} to {costs[^1]}");
        for (var i = 1; i < costs.Count; i++)
        {
            Assert.True(costs[i] <= costs[i - 1] + 1e-7f, $"cost rose at epoch {i}: {costs[i - 1]} → {costs[i]}");
        }
    }
}
