using System.CommandLine;
using Cairn.Cli;

var root = new RootCommand("Cairn: a replicated, in-memory document and key-value store.");
root.Options.Add(ClientCommands.ServerOption);
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(WatchCommand.Create());
foreach (var command in ClientCommands.Create()) root.Subcommands.Add(command);
return await root.Parse(args).InvokeAsync();
