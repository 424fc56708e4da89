using System.CommandLine;
using Cairn.Api;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Cairn.Cli;

/// <summary><c>cairn serve</c>: runs one node.</summary>
internal static class ServeCommand
{
    public const string DefaultHttp = "127.0.0.1:7070";

    public static Command Create()
    {
        var http = new Option<string>("--http")
        {
            Description = "Address to serve the HTTP API on, as host:port or a URL (loopback by default; use 0.0.0.0:7070 to listen on every interface)",
            DefaultValueFactory = _ => DefaultHttp,
        };
        var nodeId = new Option<string>("--node-id")
        {
            Description = "This node's id: 1-32 characters of a-z, 0-9 and '-'",
            DefaultValueFactory = _ => "n1",
        };
        var command = new Command("serve", "Run a Cairn node. Further settings can be given as --Cairn:Section:Key=value or CAIRN__Section__Key environment variables.")
        {
            http,
            nodeId,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var url = ToUrl(parse.GetValue(http)!);
            var hostArgs = new List<string> { "--urls", url, $"--{Node.NodeOptions.Section}:NodeId={parse.GetValue(nodeId)}" };
            hostArgs.AddRange(parse.UnmatchedTokens);
            await using var app = CairnApi.BuildSingleNode([.. hostArgs], b => b.Configuration.AddEnvironmentVariables("CAIRN__"));
            await app.StartAsync(ct);
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }

    public static string ToUrl(string address) =>
        address.Contains("://", StringComparison.Ordinal) ? address : "http://" + address;
}
